/**
 * The event-loop analysis on hand-made event streams: which segments happens-before orders, which
 * write-backs are lost updates, and which async lock waits are deadlocks.
 */
import { describe, expect, it } from 'vitest';
import { AsyncAnalyzer } from '../../src/analyzer/async-races.js';
import { EventKind, type TraceEvent } from '../../src/tracer/schema.js';

type Partial = { objectHi?: number; objectLo?: number; arg?: number; site?: number; width?: number };

function event(kind: EventKind, fields: Partial = {}): TraceEvent {
  return { kind, thread: 0, seq: -1, objectHi: fields.objectHi ?? 0, objectLo: fields.objectLo ?? 0, site: fields.site ?? 0, arg: fields.arg ?? 0, width: fields.width ?? 0, detail: 0, time: 0, offset: 0 };
}

/** A small vocabulary for event streams of one thread. */
const on = {
  task: (task: number, parent = 0, site = 1) => event(EventKind.AsyncTaskEnter, { objectLo: task, arg: parent, site }),
  promise: (id: number, trigger = 0) => event(EventKind.AsyncInit, { objectLo: id, arg: trigger, width: 1 }),
  settle: (id: number) => event(EventKind.PromiseResolve, { objectLo: id }),
  /** The continuation of an await of promise `awaited`, for `task` (its own promise is `id`). */
  resume: (id: number, task: number, awaited: number) => event(EventKind.AsyncBefore, { objectLo: id, arg: task, objectHi: awaited, width: 1 }),
  run: (id: number, task: number) => event(EventKind.AsyncBefore, { objectLo: id, arg: task }),
  join: (result: number, input: number) => event(EventKind.AsyncJoin, { objectLo: result, arg: input }),
  stale: (key: number, readSite: number, awaitSite: number) => event(EventKind.StaleRead, { objectLo: key, site: readSite, arg: awaitSite }),
  write: (key: number, task: number, site: number) => event(EventKind.StateWrite, { objectLo: key, arg: task, site }),
  request: (lock: number, task: number, site: number) => event(EventKind.AsyncLockRequest, { objectLo: lock, arg: task, site }),
  granted: (lock: number, task: number, site: number) => event(EventKind.AsyncLockGranted, { objectLo: lock, arg: task, site }),
  release: (lock: number, task: number) => event(EventKind.AsyncLockRelease, { objectLo: lock, arg: task }),
  drained: () => event(EventKind.AsyncDrained),
};

function analyze(events: TraceEvent[]): AsyncAnalyzer {
  const analyzer = new AsyncAnalyzer();
  for (const e of events) analyzer.process(e);
  return analyzer;
}

const KEY = 7;

/** Two tasks started from the thread's own code, each awaiting a promise of its own. */
function twoTasks(): TraceEvent[] {
  return [on.task(1), on.promise(10), on.task(2), on.promise(20)];
}

describe('lost updates between async tasks', () => {
  it('reports two write-backs whose continuations nothing orders', () => {
    const analyzer = analyze([
      ...twoTasks(),
      on.settle(10),
      on.settle(20),
      on.resume(11, 1, 10),
      on.stale(KEY, 100, 101),
      on.write(KEY, 1, 102),
      on.resume(21, 2, 20),
      on.stale(KEY, 100, 101),
      on.write(KEY, 2, 102),
    ]);
    const races = analyzer.races();
    expect(races).toHaveLength(1);
    expect(races[0]!.write.stale).toEqual({ readSite: 100, awaitSite: 101 });
  });

  it('reports a stale write-back against a plain write that is not ordered with it', () => {
    const analyzer = analyze([...twoTasks(), on.settle(10), on.settle(20), on.resume(11, 1, 10), on.write(KEY, 1, 90), on.resume(21, 2, 20), on.stale(KEY, 100, 101), on.write(KEY, 2, 102)]);
    expect(analyzer.races().map((race) => [race.write.site, race.other.site])).toEqual([[102, 90]]);
  });

  it('does not report writes neither of which wrote back a stale read', () => {
    const analyzer = analyze([...twoTasks(), on.settle(10), on.settle(20), on.resume(11, 1, 10), on.write(KEY, 1, 90), on.resume(21, 2, 20), on.write(KEY, 2, 91)]);
    expect(analyzer.races()).toEqual([]);
  });

  it('does not report a task that awaits the promise the other settled after writing', () => {
    // Task 2 waits on promise 10, which task 1 settles after its write-back.
    const analyzer = analyze([
      on.task(1),
      on.promise(10),
      on.promise(30),
      on.task(2),
      on.settle(10),
      on.resume(11, 1, 10),
      on.stale(KEY, 100, 101),
      on.write(KEY, 1, 102),
      on.settle(30),
      on.resume(21, 2, 30),
      on.stale(KEY, 100, 101),
      on.write(KEY, 2, 102),
    ]);
    expect(analyzer.races()).toEqual([]);
  });

  it('orders what follows Promise.all after every input', () => {
    const analyzer = analyze([
      ...twoTasks(),
      // 15 and 25: the two tasks' own promises, which Promise.all (40) waits on.
      on.promise(15),
      on.promise(25),
      on.promise(40),
      on.join(40, 15),
      on.join(40, 25),
      on.settle(10),
      on.settle(20),
      on.resume(11, 1, 10),
      on.stale(KEY, 100, 101),
      on.write(KEY, 1, 102),
      on.settle(15),
      on.resume(21, 2, 20),
      on.settle(25),
      on.settle(40),
      // The thread's own code resumes after Promise.all and writes back.
      on.resume(41, 3, 40),
      on.stale(KEY, 200, 201),
      on.write(KEY, 3, 202),
    ]);
    expect(analyzer.races()).toEqual([]);
  });

  it('without the join, the write after one input is not ordered with the other', () => {
    const analyzer = analyze([
      ...twoTasks(),
      on.promise(15),
      on.settle(10),
      on.settle(20),
      on.resume(11, 1, 10),
      on.stale(KEY, 100, 101),
      on.write(KEY, 1, 102),
      on.resume(21, 2, 20),
      on.settle(15),
      on.resume(16, 3, 15),
      on.stale(KEY, 200, 201),
      on.write(KEY, 3, 202),
    ]);
    expect(analyzer.races()).toHaveLength(1);
  });
});

describe('async lock deadlocks', () => {
  const MUTEX = 5;
  const OTHER = 6;
  const isMutex = (): boolean => true;

  it('reports a task waiting for a lock its caller holds (re-entry)', () => {
    const analyzer = analyze([on.task(1), on.request(MUTEX, 1, 10), on.granted(MUTEX, 1, 10), on.task(2, 1), on.request(MUTEX, 2, 11)]);
    const [deadlock] = analyzer.deadlocks(isMutex);
    expect(deadlock).toMatchObject({ kind: 'self', waits: [{ task: 2, lock: MUTEX, site: 11, holder: { task: 1, site: 10 } }] });
  });

  it('reports tasks that wait for each other', () => {
    const analyzer = analyze([
      on.task(1),
      on.task(2),
      on.request(MUTEX, 1, 10),
      on.granted(MUTEX, 1, 10),
      on.request(OTHER, 2, 20),
      on.granted(OTHER, 2, 20),
      on.request(OTHER, 1, 11),
      on.request(MUTEX, 2, 21),
    ]);
    const deadlocks = analyzer.deadlocks(isMutex);
    expect(deadlocks).toHaveLength(1);
    expect(deadlocks[0]!.kind).toBe('cycle');
    expect(deadlocks[0]!.waits.map((wait) => wait.lock).sort()).toEqual([MUTEX, OTHER]);
  });

  it('reports a lock never released only when the event loop ran dry', () => {
    const events = [on.task(1), on.task(2), on.request(MUTEX, 1, 10), on.granted(MUTEX, 1, 10), on.request(MUTEX, 2, 11)];
    expect(analyze(events).deadlocks(isMutex)).toEqual([]);
    expect(analyze([...events, on.drained()]).deadlocks(isMutex)).toMatchObject([{ kind: 'stuck', waits: [{ task: 2, holder: { task: 1 } }] }]);
  });

  it('does not report a wait that was granted', () => {
    const analyzer = analyze([on.task(1), on.task(2), on.request(MUTEX, 1, 10), on.granted(MUTEX, 1, 10), on.request(MUTEX, 2, 11), on.release(MUTEX, 1), on.granted(MUTEX, 2, 11), on.drained()]);
    expect(analyzer.deadlocks(isMutex)).toEqual([]);
  });

  it('finds opposite lock orders of tasks that could run at once, and not of tasks one after the other', () => {
    // Two timer callbacks made by the thread's own code (unordered), or the second made by the first; each
    // takes its second lock after an await.
    const inverted = (ordered: boolean): TraceEvent[] => [
      event(EventKind.AsyncInit, { objectLo: 30 }),
      ...(ordered ? [] : [event(EventKind.AsyncInit, { objectLo: 31 })]),
      on.run(30, 1),
      on.granted(MUTEX, 1, 10),
      on.resume(32, 1, 0),
      on.granted(OTHER, 1, 11),
      on.release(OTHER, 1),
      on.release(MUTEX, 1),
      ...(ordered ? [event(EventKind.AsyncInit, { objectLo: 31 })] : []),
      on.run(31, 2),
      on.granted(OTHER, 2, 20),
      on.resume(33, 2, 0),
      on.granted(MUTEX, 2, 21),
    ];
    const shape = (): string => 'shape';
    expect(analyze(inverted(false)).lockCycles(shape)).toHaveLength(1);
    expect(analyze(inverted(true)).lockCycles(shape)).toEqual([]);
  });

  it('does not order two locks a task takes with no await between them', () => {
    const events = [
      event(EventKind.AsyncInit, { objectLo: 30 }),
      event(EventKind.AsyncInit, { objectLo: 31 }),
      on.run(30, 1),
      on.granted(MUTEX, 1, 10),
      on.granted(OTHER, 1, 11),
      on.run(31, 2),
      on.granted(OTHER, 2, 20),
      on.granted(MUTEX, 2, 21),
    ];
    expect(analyze(events).lockCycles(() => 'shape')).toEqual([]);
  });
});
