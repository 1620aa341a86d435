/**
 * One thread's event loop as the async analyzer follows it (async-races.ts says what the edges are): its
 * segments and the edges between them (SegmentGraph, a backward search that never looks below its
 * target), what created, triggered and settled each resource, its tasks, shared state's writes, and its
 * async locks.
 */
import { LockGraph, type HeldLock } from './lock-graph.js';
import type { AsyncRace, AsyncWrite, LockWait } from './async-races.js';

/** Searches that walk more segments than this give up and count the two as ordered (no report). */
const MAX_SEARCH = 200_000;
/** Writes kept per state that later writes are checked against. */
export const MAX_WRITES = 32;

class SegmentGraph {
  /** Up to three predecessors per segment (-1: none); column 0 is also the segment that created it. */
  #preds = new Int32Array(3 * 1024).fill(-1);
  #count = 1;
  #marks = new Int32Array(1024);
  #generation = 0;

  get count(): number {
    return this.#count;
  }

  add(a: number, b: number, c: number): number {
    const id = this.#count++;
    if (3 * this.#count > this.#preds.length) {
      const grown = new Int32Array(this.#preds.length * 2).fill(-1);
      grown.set(this.#preds);
      this.#preds = grown;
    }
    this.#preds[3 * id] = a;
    this.#preds[3 * id + 1] = b;
    this.#preds[3 * id + 2] = c;
    return id;
  }

  /** Does segment `a` happen before (or equal) segment `b`? */
  reaches(a: number, b: number): boolean {
    if (a === b) return true;
    if (a > b || a < 0) return false;
    if (this.#marks.length < this.#count) {
      const grown = new Int32Array(Math.max(this.#count, this.#marks.length * 2));
      grown.set(this.#marks);
      this.#marks = grown;
    }
    const mark = ++this.#generation;
    const stack = [b];
    let steps = 0;
    while (stack.length > 0) {
      const segment = stack.pop()!;
      for (let i = 0; i < 3; i++) {
        const pred = this.#preds[3 * segment + i]!;
        if (pred < a || this.#marks[pred] === mark) continue;
        if (pred === a) return true;
        this.#marks[pred] = mark;
        stack.push(pred);
      }
      if (++steps > MAX_SEARCH) return true;
    }
    return false;
  }
}

/** Numbers by id, for ids handed out densely from 1 in each thread (async resources, tasks): −1 when unset. */
class IdTable {
  #values = new Int32Array(4096).fill(-1);

  get(id: number): number {
    return id < this.#values.length ? this.#values[id]! : -1;
  }

  set(id: number, value: number): void {
    if (id >= this.#values.length) {
      let size = this.#values.length;
      while (size <= id) size *= 2;
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[id] = value;
  }
}

export class ThreadLoop {
  readonly segments = new SegmentGraph();
  /** The running segment: it runs until the next starts (the tracer records no ends); 0 is the thread's start. */
  current = 0;
  readonly createdIn = new IdTable();
  readonly triggers = new IdTable();
  readonly settledIn = new IdTable();
  readonly lastRun = new IdTable();
  /** Per task (ids are dense from 1 in each thread): the task that called it, its function's site, the first and last segments it ran in. */
  readonly taskParent = new IdTable();
  readonly taskSite = new IdTable();
  readonly taskFirst = new IdTable();
  readonly taskLast = new IdTable();
  readonly writes = new Map<number, AsyncWrite[]>();
  readonly races = new Map<string, AsyncRace>();
  readonly releasedIn = new Map<number, number>();
  readonly joins = new Map<number, number[]>();
  stale: { object: number; key: number; readSite: number; awaitSite: number } | undefined;
  // Async locks.
  readonly graph = new LockGraph();
  readonly holders = new Map<number, { task: number; site: number }>();
  /** Async (and racecheck) locks each task holds, with the segment each was taken in. */
  readonly held = new Map<number, (HeldLock & { segment: number })[]>();
  /** The task the running segment runs for (0: the thread's own code). */
  currentTask = 0;
  readonly requests = new Map<string, LockWait>();
  drained = false;
  stuckAwaits: { task: number; site: number }[] = [];

  constructor(readonly thread: number) {}

  touch(task: number): void {
    if (this.taskFirst.get(task) < 0) this.taskFirst.set(task, this.current);
    this.taskLast.set(task, this.current);
  }

  /** The task and the tasks waiting for it (its callers), innermost first. */
  *lineage(task: number): Generator<number> {
    let current: number | undefined = task;
    const seen = new Set<number>();
    while (current !== undefined && current !== 0 && !seen.has(current)) {
      seen.add(current);
      yield current;
      const parent = this.taskParent.get(current);
      current = parent < 0 ? undefined : parent;
    }
  }

  /**
   * Locks held when `task` acquires one now: its own and its callers', leaving out those taken in the
   * running segment — with no await between the two acquisitions, no other task of this thread can come
   * between them, so their order cannot deadlock it (other threads are the thread-level graph's concern).
   */
  heldAcross(task: number): HeldLock[] {
    const locks: HeldLock[] = [];
    for (const holder of this.lineage(task)) for (const held of this.held.get(holder) ?? []) if (held.segment !== this.current) locks.push(held);
    return locks;
  }

  take(task: number, lock: number, site: number): void {
    this.graph.acquiredWhileHolding(task, lock, site, this.heldAcross(task));
    const held = this.held.get(task) ?? [];
    held.push({ lock, site, segment: this.current });
    this.held.set(task, held);
    this.holders.set(lock, { task, site });
  }

  drop(lock: number, fallbackTask: number): void {
    const task = this.holders.get(lock)?.task ?? fallbackTask;
    this.holders.delete(lock);
    const held = this.held.get(task);
    const at = held?.findIndex((entry) => entry.lock === lock) ?? -1;
    if (held && at >= 0) held.splice(at, 1);
  }

  /** Could tasks a and b be in progress at once? Not when all of one happens before all of the other. */
  concurrent(a: number, b: number): boolean {
    if (a === b) return false;
    const [firstA, lastA, firstB, lastB] = [this.taskFirst.get(a), this.taskLast.get(a), this.taskFirst.get(b), this.taskLast.get(b)];
    if (firstA < 0 || firstB < 0) return true;
    return !this.segments.reaches(lastA, firstB) && !this.segments.reaches(lastB, firstA);
  }
}
