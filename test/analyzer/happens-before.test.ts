import { describe, expect, it } from 'vitest';
import { EventKind, TraceBuilder } from './trace-builder.js';

/** Threads 1 and 2 started by main (thread 0) as Thread objects 101 and 102. */
function twoThreads(): TraceBuilder {
  return new TraceBuilder().spawn(0, 101, 1).spawn(0, 102, 2);
}

/** Each edge kind: the `ordered` events between thread 1's write and thread 2's read make it race-free. */
const edges: { name: string; ordered: (b: TraceBuilder) => TraceBuilder; unordered: (b: TraceBuilder) => TraceBuilder }[] = [
  {
    name: 'lock release -> acquire',
    ordered: (b) => b.unlock(1, 7, 11).lock(2, 7, 12),
    unordered: (b) => b.unlock(1, 7, 11).lock(2, 8, 12),
  },
  {
    name: 'event set -> wait that returns set',
    ordered: (b) => b.add(1, EventKind.EventSet, 30).add(2, EventKind.EventWaitEnd, 30, 1),
    unordered: (b) => b.add(1, EventKind.EventSet, 30).add(2, EventKind.EventWaitEnd, 30, 0),
  },
  {
    name: 'condition notify -> woken wait',
    ordered: (b) => b.add(1, EventKind.ConditionNotify, 31, 1).add(2, EventKind.ConditionWaitEnd, 31, 1),
    unordered: (b) => b.add(1, EventKind.ConditionNotify, 31, 1).add(2, EventKind.ConditionWaitEnd, 31, 0),
  },
  {
    name: 'semaphore release -> acquire',
    ordered: (b) => b.add(1, EventKind.SemaphoreRelease, 32, 1).add(2, EventKind.SemaphoreAcquire, 32),
    unordered: (b) => b.add(1, EventKind.SemaphoreRelease, 32, 1).add(2, EventKind.SemaphoreAcquire, 33),
  },
  {
    name: 'barrier arrivals -> departures',
    ordered: (b) => b.add(1, EventKind.BarrierArrive, 34, 5).add(2, EventKind.BarrierArrive, 34, 5).add(2, EventKind.BarrierLeave, 34, 5),
    unordered: (b) => b.add(1, EventKind.BarrierArrive, 34, 5).add(2, EventKind.BarrierArrive, 34, 6).add(2, EventKind.BarrierLeave, 34, 6),
  },
  {
    name: 'queue put(item) -> get(that item)',
    ordered: (b) => b.add(1, EventKind.QueuePut, 35, 9).add(2, EventKind.QueueGet, 35, 9),
    unordered: (b) => b.add(1, EventKind.QueuePut, 35, 9).add(2, EventKind.QueueGet, 35, 10),
  },
  {
    name: 'pipe send -> recv',
    ordered: (b) => b.add(1, EventKind.PipeSend, 36, 0).add(2, EventKind.PipeRecv, 36, 0),
    unordered: (b) => b.add(1, EventKind.PipeSend, 36, 0).add(2, EventKind.PipeRecv, 37, 0),
  },
  {
    name: 'Atomics store -> load of the same location',
    ordered: (b) => b.add(1, EventKind.AtomicStore, 38, 4).add(2, EventKind.AtomicLoad, 38, 4),
    unordered: (b) => b.add(1, EventKind.AtomicStore, 38, 4),
  },
  {
    name: 'annotation happensBefore -> happensAfter',
    ordered: (b) => b.add(1, EventKind.AnnotateBefore, 40).add(2, EventKind.AnnotateAfter, 40),
    unordered: (b) => b.add(1, EventKind.AnnotateBefore, 40).add(2, EventKind.AnnotateAfter, 41),
  },
  {
    name: 'thread exit -> join',
    ordered: (b) => b.exit(1, 101).join(2, 101),
    unordered: (b) => b.exit(1, 101).join(2, 102),
  },
];

describe('happens-before edges', () => {
  for (const edge of edges) {
    it(`${edge.name}: ordered accesses are clean`, () => {
      const b = edge.ordered(twoThreads().write(1, 10)).read(2, 20);
      expect(b.races()).toEqual([]);
    });
    it(`${edge.name}: without the edge it is a race`, () => {
      const b = edge.unordered(twoThreads().write(1, 10)).read(2, 20);
      expect(b.findings('data-race').map((f) => [f.location?.line, f.related[0]?.location?.line])).toEqual([[10, 20]]);
    });
  }

  it('spawn -> child start orders the parent\'s earlier writes', () => {
    const b = new TraceBuilder().write(0, 5).spawn(0, 101, 1).read(1, 6).join(0, 101);
    b.exit(1, 101);
    expect(b.findings('data-race')).toEqual([]);
  });

  it('a race that did not manifest is still found: the first thread ended before the second started', () => {
    const b = new TraceBuilder().spawn(0, 101, 1).write(1, 10).exit(1, 101).spawn(0, 102, 2).write(2, 20).exit(2, 102);
    b.join(0, 101).join(0, 102);
    const [race] = b.findings('data-race');
    expect(race?.message).toBe("Data race on shared memory (buffer 500, byte offset 0): this write by thread 'thread 2' is not ordered with a write by thread 'thread 1'");
    expect(race?.related[0]?.location?.line).toBe(10);
  });

  it('the same program ordered by join is clean', () => {
    const b = new TraceBuilder().spawn(0, 101, 1).write(1, 10).exit(1, 101).join(0, 101).spawn(0, 102, 2).write(2, 20).exit(2, 102).join(0, 102);
    expect(b.races()).toEqual([]);
  });

  it('names the locks each side held', () => {
    const b = twoThreads().create(0, 7, 1, 3).lock(1, 7, 9).write(1, 10).unlock(1, 7, 11).write(2, 20);
    const [race] = b.findings('data-race');
    expect(race?.location?.line).toBe(20);
    expect(race?.locksHeld).toEqual([]);
    expect(race?.related[0]?.message).toBe("conflicting write by thread 'thread 1', holding Lock created at prog.ts:3:1");
  });

  it('reports each racing pair of sites once, with a count', () => {
    const b = twoThreads();
    for (let i = 0; i < 5; i++) b.write(1, 10).write(2, 20);
    const races = b.findings('data-race');
    expect(races).toHaveLength(1);
    expect(races[0]?.count).toBe(9);
  });

  it('different byte offsets do not race; the same offset through two views does', () => {
    expect(twoThreads().write(1, 10, 0).write(2, 20, 4).races()).toEqual([]);
    expect(twoThreads().write(1, 10, 8).read(2, 20, 8).findings('data-race')).toHaveLength(1);
  });
});

describe('FastTrack read-shared locations', () => {
  it('concurrent reads are fine; a write unordered with both reads races with each', () => {
    const b = new TraceBuilder().write(0, 5).spawn(0, 101, 1).spawn(0, 102, 2).spawn(0, 103, 3);
    b.read(1, 11).read(2, 12).write(3, 13);
    const races = b.findings('data-race');
    expect(races.map((f) => f.related[0]?.location?.line).sort()).toEqual([11, 12]);
    expect(races.every((f) => f.location?.line === 13)).toBe(true);
  });

  it('a write after both readers were joined is clean', () => {
    const b = new TraceBuilder().write(0, 5).spawn(0, 101, 1).spawn(0, 102, 2);
    b.read(1, 11).read(2, 12).exit(1, 101).exit(2, 102).join(0, 101).join(0, 102).write(0, 13);
    expect(b.races()).toEqual([]);
  });

  it('a write ordered after only one of two readers races with the other', () => {
    const b = new TraceBuilder().spawn(0, 101, 1).spawn(0, 102, 2);
    b.read(1, 11).read(2, 12).exit(1, 101).join(0, 101).write(0, 13);
    const races = b.findings('data-race');
    expect(races.map((f) => f.related[0]?.location?.line)).toEqual([12]);
    b.exit(2, 102).join(0, 102);
  });
});

describe('Atomics on other locations', () => {
  it('order nothing: accesses between which only Atomics on another location ran are a data race, with a hint', () => {
    const b = twoThreads().write(1, 10).add(1, EventKind.AtomicStore, 38, 0).add(2, EventKind.AtomicLoad, 38, 4).read(2, 20);
    const [race] = b.findings('data-race');
    expect(race?.severity).toBe('error');
    expect(race?.message).toContain('Atomics operations on other locations ran between these accesses');
    expect(race?.message).toContain('happensBefore/happensAfter');
  });

  it('a store and a load of the same location order what came before the store', () => {
    const b = twoThreads().write(1, 10).add(1, EventKind.AtomicStore, 38, 0).add(2, EventKind.AtomicLoad, 38, 0).read(2, 20);
    expect(b.findings('data-race')).toEqual([]);
  });

  it('a race with no Atomics in between has no hint', () => {
    const b = twoThreads().write(1, 10).read(2, 20);
    const [race] = b.findings('data-race');
    expect(race?.message).not.toContain('Atomics');
  });
});
