/**
 * Trace files. A 16-byte header (magic, format version), then chunks `[type u32][length u32][payload]`
 * (little-endian): a Meta chunk, LaneRecords chunks as the collector drains lanes, and an End chunk with
 * the counts the collector drained, written only when the run ended in order. Definitions (call sites,
 * thread names) are records in the lane that uses them, ahead of their first use, so a file can be written
 * as the program runs and read in one pass with memory bounded by how far the lanes drift apart — a 1 GB
 * trace is read in 1 MiB blocks.
 *
 * This module is the format and its writer; trace-reader.ts reads it.
 */
import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import { FileAccessError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { ChunkType, TraceFormat } from './schema.js';

/** The largest payload a chunk the writer makes carries (the reader's buffer holds two). */
export const MAX_CHUNK_PAYLOAD = 1 << 20;

export interface TraceMeta {
  program?: string;
  args?: string[];
  pid?: number;
  cwd?: string;
  startTime?: number;
  [key: string]: unknown;
}

export interface TraceEnd {
  /** Records drained per lane. */
  drained: number[];
  /** Why the run ended, when racecheck ended it: 'deadlock' or 'timeout'. */
  endedBy?: string;
  /** Producers' write cursors per lane (uint32) as the last drain read them: where the trace ends. */
  written: number[];
  /**
   * Threads still running when the trace ended (daemon threads, or threads a `process.exit` cut short):
   * what they did afterwards is past the end of the trace.
   */
  runningAtEnd?: number[];
  [key: string]: unknown;
}

function header(): Buffer {
  const bytes = Buffer.alloc(TraceFormat.HEADER_BYTES);
  bytes.write(TraceFormat.MAGIC, 0, 'latin1');
  bytes.writeUInt32LE(TraceFormat.VERSION, 8);
  return bytes;
}

/** Writes a trace as the collector drains the ring; buffered, and written out on `flush`. */
export class TraceFileWriter {
  readonly path: string;
  readonly #fd: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;

  constructor(path: string, meta: TraceMeta = {}) {
    this.path = path;
    try {
      // Never through a symlink at the last component (the CLI checked the file; this is the open that counts).
      this.#fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      throw new FileAccessError(`cannot write the trace file ${path}: ${(error as Error).message}`, { cause: error });
    }
    this.#pending.push(header());
    this.#pendingBytes += TraceFormat.HEADER_BYTES;
    this.#chunk(ChunkType.Meta, Buffer.from(JSON.stringify(meta)));
    this.flush();
  }

  #chunk(type: number, payload: Uint8Array, prefix?: Buffer): void {
    const head = Buffer.alloc(TraceFormat.CHUNK_HEADER_BYTES);
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(payload.length + (prefix?.length ?? 0), 4);
    this.#pending.push(head);
    if (prefix) this.#pending.push(prefix);
    this.#pending.push(Buffer.from(payload));
    this.#pendingBytes += head.length + (prefix?.length ?? 0) + payload.length;
  }

  /** Adds records drained from `lane` (copied: the caller's bytes may be reused). */
  laneRecords(lane: number, records: Uint8Array): void {
    for (let at = 0; at < records.length; at += MAX_CHUNK_PAYLOAD) {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(lane, 0);
      this.#chunk(ChunkType.LaneRecords, records.subarray(at, Math.min(records.length, at + MAX_CHUNK_PAYLOAD)), prefix);
    }
    if (this.#pendingBytes >= 4 * MAX_CHUNK_PAYLOAD) this.flush();
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes everything buffered to the file. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const all = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    let written = 0;
    while (written < all.length) written += writeSync(this.#fd, all, written);
  }

  /** Findings made during the run (plain JSON: the tracer does not know their model). */
  findings(findings: readonly Finding[]): void {
    this.#chunk(ChunkType.Findings, Buffer.from(JSON.stringify(findings)));
  }

  /** Writes the End chunk and closes the file. */
  end(end: TraceEnd): void {
    if (this.#closed) return;
    this.#chunk(ChunkType.End, Buffer.from(JSON.stringify(end)));
    this.flush();
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#closed = true;
  }

  /** Closes without an End chunk (the reader will say the trace is incomplete). */
  abandon(): void {
    if (this.#closed) return;
    this.flush();
    closeSync(this.#fd);
    this.#closed = true;
  }
}
