import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Thread } from '../../src/primitives/index.js';
import { Collector, type CollectorSink } from '../../src/tracer/collector.js';
import { createRing, RingWriter } from '../../src/tracer/ring.js';
import { EventKind, isSyncKind, KIND_MASK, Record } from '../../src/tracer/schema.js';
import { TraceFileWriter } from '../../src/tracer/trace-file.js';
import { TraceReader } from '../../src/tracer/trace-reader.js';

const workers = new URL('./ring-workers.ts', import.meta.url);

/** Checks, as records arrive, that each producer's events come complete and in order. */
class OrderCheckingSink implements CollectorSink {
  readonly next = new Map<number, number>();
  violations: string[] = [];
  records = 0;
  ended = false;
  laneRecords(lane: number, bytes: Uint8Array): void {
    const words = new Int32Array(bytes.slice().buffer);
    for (let at = 0; at < words.length; at += Record.WORDS) {
      this.records++;
      if ((words[at + Record.KIND_WORD]! & KIND_MASK) !== EventKind.MemoryWrite) continue;
      const producer = words[at + Record.OBJECT_LO]!;
      const expected = this.next.get(producer) ?? 0;
      const got = words[at + Record.ARG]!;
      if (got !== expected && this.violations.length < 5) this.violations.push(`lane ${lane}, producer ${producer}: expected ${expected}, got ${got}`);
      this.next.set(producer, got + 1);
    }
  }
  flush(): void {}
  end(): void {
    this.ended = true;
  }
}

function runProducers(ring: SharedArrayBuffer, sink: CollectorSink, target: string, producers: number, count: number): Promise<Collector> {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const threads = Array.from({ length: producers }, (_, i) => new Thread({ target, args: [ring, i, count, done], module: workers }));
  for (const thread of threads) thread.start();
  const collector = new Collector(ring, sink);
  collector.run(() => Atomics.load(done, 0) === producers);
  collector.finish();
  return Promise.all(threads.map((thread) => thread.joinAsync())).then(() => collector);
}

describe('the ring buffer', () => {
  it('4 threads x 1,000,000 events through a 64-record lane arrive complete and in per-thread order', async () => {
    const ring = createRing({ lanes: 8, laneRecords: 64 });
    const sink = new OrderCheckingSink();
    const collector = await runProducers(ring, sink, 'produce', 4, 1_000_000);
    expect(sink.violations).toEqual([]);
    expect([...sink.next.entries()].sort()).toEqual([[0, 1_000_000], [1, 1_000_000], [2, 1_000_000], [3, 1_000_000]]);
    // Each lane also holds its thread's attach and detach records.
    expect(collector.drained.reduce((a, b) => a + b, 0)).toBe(sink.records);
    expect(sink.ended).toBe(true);
  });

  it('synchronisation events of several threads merge in global sequence order', async () => {
    const ring = createRing({ lanes: 4, laneRecords: 64 });
    const path = join(mkdtempSync(join(tmpdir(), 'racecheck-')), 'sync.trace');
    await runProducers(ring, new TraceFileWriter(path), 'produceSync', 3, 20_000);
    const reader = new TraceReader(path);
    let seq = 0;
    const perProducer = [0, 0, 0];
    for (const event of reader.events()) {
      expect(event.seq).toBe(seq++);
      expect(event.arg).toBe(perProducer[event.objectLo]!++);
    }
    expect(perProducer).toEqual([20_000, 20_000, 20_000]);
    expect(reader.complete).toBe(true);
  });

  it('round-trips every field of every kind, and text that wraps around the lane', () => {
    const ring = createRing({ lanes: 1, laneRecords: 64 });
    const path = join(mkdtempSync(join(tmpdir(), 'racecheck-')), 'kinds.trace');
    const sink = new TraceFileWriter(path, { program: 'kinds' });
    const collector = new Collector(ring, sink);
    const writer = new RingWriter(ring);
    const kinds = Object.values(EventKind).filter((k) => k !== EventKind.SiteDefine && k !== EventKind.ThreadName && k !== EventKind.LaneAttach && k !== EventKind.LaneDetach);
    for (const [i, kind] of kinds.entries()) {
      writer.record(kind, 8, -7 - i, 1000 + i, 0, i * 3, isSyncKind(kind));
      collector.drainOnce();
    }
    // Text long enough to wrap past the end of the 64-record lane.
    const long = `${'x'.repeat(1500)}/ünïcode.ts`;
    writer.recordText(EventKind.ThreadName, 0, long);
    writer.recordText(EventKind.SiteDefine, 5, '/a.ts\n3\n4\nfn');
    collector.finish();
    const reader = new TraceReader(path);
    const events = [...reader.events()];
    expect(events.map((e) => e.kind)).toEqual(kinds);
    for (const [i, event] of events.entries()) {
      expect([event.objectHi, event.objectLo, event.arg, event.width]).toEqual([-7 - i, 1000 + i, i * 3, 8]);
      expect(event.time === 0).toBe(event.seq === -1);
    }
    expect(reader.threadNames.get(0)).toBe(long);
    expect(reader.sites.get(5)).toEqual({ file: '/a.ts', line: 3, column: 4, functionName: 'fn' });
    expect(reader.meta.program).toBe('kinds');
  });

  it('ends while a thread still writes (a daemon at exit): the trace is whole up to its end, the writer named', async () => {
    const ring = createRing({ lanes: 2, laneRecords: 64 });
    const path = join(mkdtempSync(join(tmpdir(), 'racecheck-')), 'daemon.trace');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const thread = new Thread({ target: 'produceUntilStopped', args: [ring, 0, flags], module: workers });
    thread.start();
    const collector = new Collector(ring, new TraceFileWriter(path));
    collector.run(() => Atomics.load(flags, 0) === 1);
    // The producer goes on writing between the last drain and the End chunk; it is still running at the end.
    collector.finish();
    Atomics.store(flags, 1, 1);
    await thread.joinAsync();
    const reader = new TraceReader(path);
    let next = 0;
    for (const event of reader.events()) if (event.kind === EventKind.MemoryWrite) expect(event.arg).toBe(next++);
    expect(next).toBeGreaterThan(1000);
    expect(reader.complete).toBe(true);
    expect(reader.end?.runningAtEnd).toEqual([thread.ident]);
  });

  it('refuses a ring size that is not a power of two or too small', () => {
    expect(() => createRing({ laneRecords: 100 })).toThrow(InvalidArgumentError);
    expect(() => createRing({ laneRecords: 32 })).toThrow('ring: laneRecords must be a power of two from 64 to 16777216, got 32');
    expect(() => createRing({ lanes: 0 })).toThrow('ring: lanes must be an integer from 1 to 4096, got 0');
  });

  it('every record is 32 bytes: eight words', () => {
    expect(Record.WORDS * 4).toBe(Record.BYTES);
    expect(Record.BYTES).toBe(32);
    expect((Record.TIME_F64 + 1) * 8).toBe(Record.BYTES);
  });
});
