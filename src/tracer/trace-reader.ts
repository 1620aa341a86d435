/**
 * Reading a trace file (trace-file.ts has the format) in one pass, with memory bounded by how far the lanes
 * drift apart — a 1 GB trace is read in 1 MiB blocks. Reading merges the lanes into one stream: each
 * thread's events in its own order, and synchronisation events in global sequence order, which the
 * producers took so that it agrees with real time. The End chunk's counts are checked against what was read.
 */
import { closeSync, readSync } from 'node:fs';
import { FileAccessError, TraceFormatError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { openRegularFile } from '../core/safe-files.js';
import { carriesText, ChunkType, decodeRecord, decodeSite, emptyRecord, EventKind, eventKindName, isSyncKind, Record, TraceFormat, textSlots, type Site, type TraceEvent } from './schema.js';
import { MAX_CHUNK_PAYLOAD, type TraceEnd, type TraceMeta } from './trace-file.js';

export type { TraceEvent } from './schema.js';

interface Lane {
  thread: number;
  pending: TraceEvent[];
  head: number;
  read: number;
}

/** Reads a trace file in one pass; `events()` yields the merged stream. */
export class TraceReader {
  readonly path: string;
  readonly sites = new Map<number, Site>();
  readonly threadNames = new Map<number, string>();
  meta: TraceMeta = {};
  /** The End chunk, once read; undefined for a trace cut short (the program was killed). */
  end: TraceEnd | undefined;
  /** Findings the run itself wrote (the deadlock watchdog's), as plain JSON. */
  /** Findings made during the run (the deadlock watchdog's), in the finding model. */
  readonly findings: Finding[] = [];
  /** Synchronisation events whose sequence number never appeared (a thread died between taking and writing it). */
  sequenceGaps = 0;

  readonly #fd: number;
  #buffer = Buffer.alloc(MAX_CHUNK_PAYLOAD * 2);
  #start = 0;
  #end = 0;
  #fileOffset = 0;
  #eof = false;
  readonly #lanes = new Map<number, Lane>();
  /** Each thread interns its own sites: a site defined again by another thread maps to the first id. */
  readonly #siteAliases = new Map<number, number>();
  readonly #siteIds = new Map<string, number>();
  #nextSeq = 0;

  constructor(path: string) {
    this.path = path;
    try {
      // A FIFO or a device named as the trace would hang the read or never end it.
      this.#fd = openRegularFile(path).fd;
    } catch (error) {
      throw new FileAccessError(`cannot read the trace file ${path}: ${(error as Error).message}`, { cause: error });
    }
    this.#readHeader();
  }

  #error(offset: number, problem: string): TraceFormatError {
    return new TraceFormatError(this.path, offset, problem);
  }

  /** Makes at least `count` unread bytes available; false at end of file. */
  #fill(count: number): boolean {
    if (this.#end - this.#start >= count) return true;
    if (this.#start > 0) {
      this.#buffer.copy(this.#buffer, 0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#fileOffset += this.#start;
      this.#start = 0;
    }
    if (count > this.#buffer.length) {
      const bigger = Buffer.alloc(count);
      this.#buffer.copy(bigger, 0, 0, this.#end);
      this.#buffer = bigger;
    }
    while (this.#end < count && !this.#eof) {
      const read = readSync(this.#fd, this.#buffer, this.#end, this.#buffer.length - this.#end, null);
      if (read === 0) this.#eof = true;
      this.#end += read;
    }
    return this.#end - this.#start >= count;
  }

  #position(): number {
    return this.#fileOffset + this.#start;
  }

  #readHeader(): void {
    if (!this.#fill(TraceFormat.HEADER_BYTES)) {
      throw this.#error(this.#end, `not a racecheck trace: the file is ${this.#end} bytes, shorter than the header`);
    }
    const magic = this.#buffer.toString('latin1', 0, 8);
    if (magic !== TraceFormat.MAGIC) throw this.#error(0, 'not a racecheck trace: wrong magic bytes');
    const version = this.#buffer.readUInt32LE(8);
    if (version > TraceFormat.VERSION) {
      throw this.#error(
        8,
        `written by a newer racecheck (trace format ${version}); this racecheck reads format ${TraceFormat.VERSION} — upgrade racecheck to read it`,
      );
    }
    if (version === 0) throw this.#error(8, 'not a racecheck trace: format version 0');
    this.#start = TraceFormat.HEADER_BYTES;
  }

  /** Reads the next chunk into the lanes; false at a clean end of file. */
  #readChunk(): boolean {
    if (!this.#fill(TraceFormat.CHUNK_HEADER_BYTES)) {
      if (this.#end - this.#start === 0) return false;
      throw this.#error(this.#position(), `truncated: ${this.#end - this.#start} stray bytes where a chunk header should be`);
    }
    const at = this.#position();
    const type = this.#buffer.readUInt32LE(this.#start);
    const length = this.#buffer.readUInt32LE(this.#start + 4);
    if (!this.#fill(TraceFormat.CHUNK_HEADER_BYTES + length)) {
      throw this.#error(at, `truncated: the chunk declares ${length} bytes but only ${this.#end - this.#start - TraceFormat.CHUNK_HEADER_BYTES} remain`);
    }
    const payloadStart = this.#start + TraceFormat.CHUNK_HEADER_BYTES;
    const payload = this.#buffer.subarray(payloadStart, payloadStart + length);
    const payloadOffset = at + TraceFormat.CHUNK_HEADER_BYTES;
    switch (type) {
      case ChunkType.Meta:
        this.meta = this.#json(payload, payloadOffset) as TraceMeta;
        break;
      case ChunkType.LaneRecords:
        this.#laneRecords(payload, payloadOffset);
        break;
      case ChunkType.End:
        this.end = this.#json(payload, payloadOffset) as TraceEnd;
        break;
      case ChunkType.Findings:
        this.findings.push(...(this.#json(payload, payloadOffset) as Finding[]));
        break;
      default:
        throw this.#error(at, `unknown chunk type ${type}`);
    }
    this.#start = payloadStart + length;
    return true;
  }

  #json(payload: Buffer, offset: number): unknown {
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch {
      throw this.#error(offset, 'damaged chunk: its JSON does not parse');
    }
  }

  #lane(index: number): Lane {
    let lane = this.#lanes.get(index);
    if (!lane) {
      lane = { thread: -1, pending: [], head: 0, read: 0 };
      this.#lanes.set(index, lane);
    }
    return lane;
  }

  #laneRecords(payload: Buffer, offset: number): void {
    if (payload.length < 4 || (payload.length - 4) % Record.BYTES !== 0) {
      throw this.#error(offset, `damaged chunk: ${payload.length - 4} bytes of records is not a whole number of ${Record.BYTES}-byte records`);
    }
    const lane = this.#lane(payload.readUInt32LE(0));
    const count = (payload.length - 4) / Record.BYTES;
    lane.read += count;
    // The records as words for the one record decoder (schema.ts): in place when they are 8-byte aligned in
    // the read buffer, else an aligned copy (a Float64Array view needs the alignment).
    const start = payload.byteOffset + 4;
    const aligned = start % 8 === 0;
    const records = aligned ? payload.buffer : new Uint8Array(payload.subarray(4)).buffer;
    const at = aligned ? start : 0;
    const words = new Int32Array(records, at, count * Record.WORDS);
    const floats = new Float64Array(records, at, count * (Record.WORDS / 2));
    const record = emptyRecord();
    for (let i = 0; i < count; i++) {
      const base = 4 + i * Record.BYTES;
      const recordOffset = offset + base;
      const { kind, objectLo, arg } = decodeRecord(words, floats, i, record);
      if (eventKindName(kind) === undefined) throw this.#error(recordOffset, `unknown event kind ${kind}`);
      if (carriesText(kind)) {
        const slots = textSlots(arg);
        if (arg < 0 || i + slots > count - 1) {
          throw this.#error(recordOffset, `damaged record: its text of ${arg} bytes runs past the chunk`);
        }
        const text = payload.toString('utf8', base + Record.BYTES, base + Record.BYTES + arg);
        if (kind === EventKind.SiteDefine) {
          const known = this.#siteIds.get(text);
          if (known === undefined) {
            this.#siteIds.set(text, objectLo);
            this.sites.set(objectLo, decodeSite(text));
          } else {
            this.#siteAliases.set(objectLo, known);
          }
        } else {
          this.threadNames.set(objectLo, text);
        }
        i += slots;
        continue;
      }
      if (kind === EventKind.LaneAttach) {
        lane.thread = arg;
        continue;
      }
      if (kind === EventKind.LaneDetach) continue;
      const sync = isSyncKind(kind);
      lane.pending.push({
        kind: kind as EventKind,
        thread: lane.thread,
        seq: sync ? this.#unwrap(record.seq) : -1,
        objectHi: record.objectHi,
        objectLo,
        site: this.#canonicalSite(record.site),
        arg,
        width: record.width,
        detail: record.detail,
        time: sync ? record.time : 0,
        offset: recordOffset,
      });
    }
  }

  /** The site with this id, also when the id was defined again with the same text (another thread's). */
  site(id: number): Site | undefined {
    return this.sites.get(this.#canonicalSite(id));
  }

  #canonicalSite(site: number): number {
    return this.#siteAliases.get(site) ?? site;
  }

  /** Sequence numbers are uint32 on disk; the one meant is the one nearest the next expected. */
  #unwrap(seq32: number): number {
    return this.#nextSeq + ((seq32 - this.#nextSeq) | 0);
  }

  /** Events that can go out now: each lane's head while it is not a synchronisation event waiting its turn. */
  *#ready(): Generator<TraceEvent> {
    let progress = true;
    while (progress) {
      progress = false;
      for (const lane of this.#lanes.values()) {
        while (lane.head < lane.pending.length) {
          const event = lane.pending[lane.head]!;
          if (event.seq >= 0) {
            if (event.seq !== this.#nextSeq) break;
            this.#nextSeq++;
          }
          lane.head++;
          progress = true;
          yield event;
        }
        if (lane.head > 4096 && lane.head * 2 > lane.pending.length) {
          lane.pending = lane.pending.slice(lane.head);
          lane.head = 0;
        }
      }
    }
  }

  /** All events, merged. Checks the End chunk's counts against what was read. */
  *events(): Generator<TraceEvent> {
    while (this.#readChunk()) yield* this.#ready();
    yield* this.#ready();
    // Sequence numbers taken by threads that died before writing their event leave gaps: skip them.
    for (;;) {
      let lowest: number | undefined;
      for (const lane of this.#lanes.values()) {
        const event = lane.pending[lane.head];
        if (event && (lowest === undefined || event.seq < lowest)) lowest = event.seq;
      }
      if (lowest === undefined) break;
      this.sequenceGaps += lowest - this.#nextSeq;
      this.#nextSeq = lowest;
      yield* this.#ready();
    }
    this.#checkCounts();
    closeSync(this.#fd);
  }

  #checkCounts(): void {
    if (!this.end) return;
    for (const [index, lane] of this.#lanes) {
      const drained = this.end.drained[index] ?? 0;
      if (drained !== lane.read) {
        throw this.#error(this.#position(), `lane ${index}: the collector drained ${drained} records but the file holds ${lane.read}`);
      }
    }
    for (const [index, drained] of this.end.drained.entries()) {
      if (drained > 0 && !this.#lanes.has(index)) {
        throw this.#error(this.#position(), `lane ${index}: the collector drained ${drained} records but the file holds none`);
      }
      const written = this.end.written[index];
      if (written !== undefined && (drained >>> 0) !== written) {
        throw this.#error(this.#position(), `lane ${index}: producers wrote ${written} records but the collector drained ${drained >>> 0}`);
      }
    }
  }

  /** True when the run ended in order (the End chunk is there). Meaningful after `events()` finished. */
  get complete(): boolean {
    return this.end !== undefined;
  }

  /** A thread's name: its Thread name, 'main', or 'thread N'. */
  threadName(thread: number): string {
    return this.threadNames.get(thread) ?? (thread === 0 ? 'main' : `thread ${thread}`);
  }
}
