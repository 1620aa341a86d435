import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceFormatError } from '../../src/core/errors.js';
import { Collector } from '../../src/tracer/collector.js';
import { createRing, RingWriter } from '../../src/tracer/ring.js';
import { ChunkType, EventKind, Record, TraceFormat } from '../../src/tracer/schema.js';
import { TraceFileWriter } from '../../src/tracer/trace-file.js';
import { TraceReader } from '../../src/tracer/trace-reader.js';
import { tempPath } from './trace-helpers.js';

/** A small, valid trace: a few lock events and a site. */
function writeSample(): string {
  const path = tempPath('sample.trace');
  const ring = createRing({ lanes: 2, laneRecords: 64 });
  const collector = new Collector(ring, new TraceFileWriter(path, { program: 'sample' }));
  const writer = new RingWriter(ring);
  writer.recordText(EventKind.SiteDefine, 1, '/x.ts\n1\n1\nf');
  for (let i = 0; i < 5; i++) writer.record(EventKind.LockAcquired, 0, 0, 9, 1, i, true);
  collector.finish();
  return path;
}

function readEvents(path: string): unknown[] {
  return [...new TraceReader(path).events()];
}

function expectFormatError(path: string, offset: number, message: RegExp): void {
  let error: unknown;
  try {
    readEvents(path);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(TraceFormatError);
  expect((error as TraceFormatError).offset).toBe(offset);
  expect((error as Error).message).toMatch(message);
}

/** Byte offset of the first LaneRecords chunk's first record. */
function firstRecordOffset(bytes: Buffer): number {
  let at = TraceFormat.HEADER_BYTES;
  while (bytes.readUInt32LE(at) !== ChunkType.LaneRecords) at += TraceFormat.CHUNK_HEADER_BYTES + bytes.readUInt32LE(at + 4);
  return at + TraceFormat.CHUNK_HEADER_BYTES + 4;
}

describe('trace files', () => {
  it('a valid trace reads back complete', () => {
    const reader = new TraceReader(writeSample());
    expect([...reader.events()].map((e) => e.arg)).toEqual([0, 1, 2, 3, 4]);
    expect(reader.complete).toBe(true);
  });

  it('a file that is not a trace is refused at byte 0', () => {
    const path = tempPath('not.trace');
    writeFileSync(path, 'hello, this is not a trace file at all');
    expectFormatError(path, 0, /not a racecheck trace: wrong magic bytes \(at byte offset 0\)$/);
  });

  it('a trace from a newer format version is refused with a clear message', () => {
    const path = writeSample();
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(TraceFormat.VERSION + 1, 8);
    writeFileSync(path, bytes);
    expectFormatError(path, 8, /written by a newer racecheck \(trace format 2\); this racecheck reads format 1/);
  });

  it('a truncated trace names the offset of the cut chunk', () => {
    const path = writeSample();
    const bytes = readFileSync(path);
    const cut = firstRecordOffset(bytes) + 40;
    writeFileSync(path, bytes.subarray(0, cut));
    expectFormatError(path, firstRecordOffset(bytes) - 4 - TraceFormat.CHUNK_HEADER_BYTES, /truncated: the chunk declares \d+ bytes but only \d+ remain/);
  });

  it('an unknown event kind names the record offset', () => {
    const path = writeSample();
    const bytes = readFileSync(path);
    // Records: the lane attach, the site definition and its text slot, then the lock events.
    const record = firstRecordOffset(bytes) + 3 * Record.BYTES;
    bytes.writeInt32LE(77, record);
    writeFileSync(path, bytes);
    expectFormatError(path, record, /unknown event kind 77/);
  });

  it('a trace whose record counts disagree with its End chunk is refused', () => {
    const path = writeSample();
    const bytes = readFileSync(path);
    const text = bytes.toString('latin1');
    const damaged = Buffer.from(text.replace('"drained":[8,', '"drained":[9,'), 'latin1');
    writeFileSync(path, damaged);
    expect(() => readEvents(path)).toThrow(/lane 0: the collector drained 9 records but the file holds 8/);
  });

  it('a trace without its End chunk (a killed run) reads as incomplete', () => {
    const path = tempPath('killed.trace');
    const ring = createRing({ lanes: 1, laneRecords: 64 });
    const sink = new TraceFileWriter(path);
    const collector = new Collector(ring, sink);
    const writer = new RingWriter(ring);
    writer.record(EventKind.LockAcquired, 0, 0, 1, 0, 0, true);
    collector.drainOnce();
    sink.abandon();
    const reader = new TraceReader(path);
    expect([...reader.events()]).toHaveLength(1);
    expect(reader.complete).toBe(false);
  });

  it('a trace path that cannot be read gives a one-line error', () => {
    expect(() => new TraceReader('/no/such/dir/x.trace')).toThrow(/^cannot read the trace file \/no\/such\/dir\/x\.trace: ENOENT/);
  });
});
