/** Runs: one event for consecutive elements accessed at one site in one epoch (the instrumentation's). */
import { describe, expect, it } from 'vitest';
import { EventKind, TraceBuilder } from './trace-builder.js';

function twoThreads(): TraceBuilder {
  return new TraceBuilder().spawn(0, 1001, 1).spawn(0, 1002, 2);
}

describe('runs of accesses (one event for consecutive elements)', () => {
  const run = (trace: TraceBuilder, thread: number, kind: EventKind, first: number, count: number, line: number): TraceBuilder =>
    trace.add(thread, kind, 900, first * 4, line, 4, 0, count);

  it('a run overlapping another thread\'s unordered run races, once per site pair', () => {
    const trace = twoThreads();
    run(trace, 1, EventKind.MemoryWrite, 0, 100, 10);
    run(trace, 2, EventKind.MemoryRead, 50, 100, 20);
    const races = trace.races();
    expect(races).toHaveLength(1);
    expect(races[0]!.location?.line).toBe(10);
  });

  it('disjoint runs and runs ordered by a join are clean', () => {
    const trace = twoThreads();
    run(trace, 1, EventKind.MemoryWrite, 0, 100, 10);
    run(trace, 2, EventKind.MemoryWrite, 100, 100, 20);
    trace.exit(1, 1001).join(0, 1001).exit(2, 1002).join(0, 1002);
    run(trace, 0, EventKind.MemoryRead, 0, 200, 30);
    expect(trace.races()).toEqual([]);
  });

  it('one element changed inside a shared run keeps its own state', () => {
    const trace = twoThreads();
    run(trace, 1, EventKind.MemoryWrite, 0, 100, 10);
    trace.exit(1, 1001).join(2, 1001);
    // Thread 2 is ordered after thread 1 now: its write to element 40 is clean. Thread 0's unordered read
    // of elements 30–49 races with thread 1's writes, and at element 40 with thread 2's.
    trace.add(2, EventKind.MemoryWrite, 900, 40 * 4, 20, 4);
    run(trace, 0, EventKind.MemoryRead, 30, 20, 30);
    const races = trace.races();
    const pairs = races.map((race) => [race.location?.line, race.related[0]?.location?.line]);
    expect(pairs.sort()).toEqual([
      [10, 30],
      [20, 30],
    ]);
  });

  it('a run across the shadow\'s page boundaries is checked on both sides', () => {
    const trace = twoThreads();
    run(trace, 1, EventKind.MemoryWrite, 4000, 8300, 10);
    trace.exit(1, 1001).join(2, 1001);
    // Ordered after thread 1: clean on both sides of element 4096 and of element 8192.
    run(trace, 2, EventKind.MemoryWrite, 4090, 4110, 20);
    expect(trace.races()).toEqual([]);
    // Thread 0 is ordered with neither: its read of the last page races with thread 1 (elements past
    // thread 2's run) and with thread 2.
    run(trace, 0, EventKind.MemoryRead, 8190, 200, 30);
    const pairs = trace.races().map((race) => [race.location?.line, race.related[0]?.location?.line]);
    expect(pairs.sort()).toEqual([
      [10, 30],
      [20, 30],
    ]);
  });

  it('runs far into a large buffer are found without shadowing the memory before them', () => {
    const trace = twoThreads();
    const far = 250_000_000;
    run(trace, 1, EventKind.MemoryWrite, far, 10, 10);
    run(trace, 2, EventKind.MemoryWrite, far + 9, 10, 20);
    run(trace, 2, EventKind.MemoryWrite, far + 20, 10, 21);
    const races = trace.races();
    expect(races.map((race) => race.location?.line)).toEqual([20]);
    expect(races[0]!.related[0]?.location?.line).toBe(10);
  });

  it('a run written again by its own thread in a later epoch stays one state, and clean', () => {
    const trace = twoThreads();
    run(trace, 1, EventKind.MemoryWrite, 0, 50, 10);
    trace.exit(1, 1001).join(2, 1001);
    run(trace, 2, EventKind.MemoryWrite, 0, 50, 20);
    run(trace, 2, EventKind.MemoryRead, 10, 5, 21);
    run(trace, 2, EventKind.MemoryWrite, 0, 50, 22);
    expect(trace.races()).toEqual([]);
  });
});

describe('accesses of different widths to one buffer', () => {
  /** An access of `count` elements of `width` bytes from byte `offset`. */
  const access = (trace: TraceBuilder, thread: number, kind: EventKind, offset: number, width: number, line: number, count = 1): TraceBuilder =>
    trace.add(thread, kind, 900, offset, line, width, 0, count);
  const lines = (trace: TraceBuilder): number[][] => trace.races().map((race) => [race.location!.line, race.related[0]!.location!.line]).sort();

  it('race where their bytes overlap, whichever width comes first', () => {
    const trace = twoThreads();
    access(trace, 1, EventKind.MemoryWrite, 8, 8, 10); // bytes 8–15
    access(trace, 2, EventKind.MemoryRead, 12, 4, 20); // bytes 12–15
    access(trace, 2, EventKind.MemoryWrite, 24, 2, 21); // bytes 24–25
    access(trace, 1, EventKind.MemoryRead, 22, 1, 11, 4); // bytes 22–25, one byte at a time
    expect(lines(trace)).toEqual([
      [10, 20],
      [21, 11],
    ]);
  });

  it('do not race where they only meet at an edge, or are ordered', () => {
    const trace = twoThreads();
    access(trace, 1, EventKind.MemoryWrite, 8, 8, 10); // bytes 8–15
    access(trace, 2, EventKind.MemoryRead, 16, 4, 20); // bytes 16–19
    access(trace, 2, EventKind.MemoryWrite, 4, 4, 21); // bytes 4–7
    access(trace, 1, EventKind.MemoryWrite, 32, 1, 12, 8); // bytes 32–39
    trace.exit(1, 1001).join(2, 1001);
    access(trace, 2, EventKind.MemoryWrite, 32, 8, 22); // bytes 32–39, after thread 1 ended
    expect(trace.races()).toEqual([]);
  });

  it('a read-shared location of one width and a write of another', () => {
    const trace = new TraceBuilder().spawn(0, 1001, 1).spawn(0, 1002, 2).spawn(0, 1003, 3);
    access(trace, 1, EventKind.MemoryRead, 0, 4, 10);
    access(trace, 2, EventKind.MemoryRead, 0, 4, 20);
    access(trace, 3, EventKind.MemoryWrite, 2, 2, 30); // bytes 2–3
    expect(lines(trace)).toEqual([
      [30, 10],
      [30, 20],
    ]);
  });
});
