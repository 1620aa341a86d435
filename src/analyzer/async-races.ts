/**
 * Races between async tasks on one event loop, and deadlocks between their async locks. Pure: events in,
 * races, cycles and deadlocks out (analyze.ts turns them into findings).
 *
 * Happens-before on an event loop. Code runs in segments — a callback run to completion: the thread's
 * start, a timer or I/O callback, a promise reaction (an await's continuation is one). Segment B happens
 * after segment A when a chain of these edges leads from A to B:
 * - A created the resource whose callback B is (setTimeout in A → the timer callback; an await in A → its
 *   continuation; `then` in A → the reaction);
 * - A settled the promise B waits on (a resolve, a return from an async function, a lock release inside
 *   async-mutex resolving the next waiter's promise);
 * - A is an earlier run of the same resource (setInterval), or released one of racecheck's own locks that
 *   B acquired.
 * Segments are numbered in the order they start and every edge goes forward, so "does A reach B" is a
 * backward search from B that never looks below A.
 *
 * A lost update (`async-race`): a task read shared state, awaited (the instrumentation saw the segment
 * change between the read and the write), and wrote back a value computed from the read — while another
 * write of the same state is not ordered with that write either way, so it can fall between the read and
 * the write in some run. Like FastTrack, each state keeps only the writes a later write could still race
 * with (those not ordered before a newer write).
 *
 * Async locks: a task holds what it was granted until it releases it; an async function's callers hold
 * their locks for it (they wait for it), so its acquisitions are ordered after theirs in the lock graph.
 */
import { AcquireMode, EventKind, joinObjectId, ObjectType, type TraceEvent } from '../tracer/schema.js';
import { MAX_WRITES, ThreadLoop } from './event-loop.js';
import type { LockCycle } from './lock-graph.js';

export interface AsyncWrite {
  site: number;
  task: number;
  segment: number;
  /** Present when the written value came from a read made before an await. */
  stale?: { readSite: number; awaitSite: number };
}

export interface AsyncRace {
  thread: number;
  /** Object id (0 for a variable) and key (the variable's declaration site, or the property's name site). */
  object: number;
  key: number;
  /** The stale write (of two stale writes, the later one). */
  write: AsyncWrite;
  other: AsyncWrite;
  count: number;
}

export interface LockWait {
  task: number;
  lock: number;
  site: number;
  /** The task holding the lock (or its holder's ancestor chain member) and where it took it. */
  holder?: { task: number; site: number };
}

export interface AsyncDeadlock {
  thread: number;
  /** 'self': a task waits for a lock it (or a caller waiting for it) holds; 'cycle': tasks wait for each other; 'stuck': the holder never let go and the loop ran dry. */
  kind: 'self' | 'cycle' | 'stuck';
  waits: LockWait[];
}

export interface StuckAwaits {
  thread: number;
  awaits: { task: number; site: number }[];
}

export class AsyncAnalyzer {
  readonly #threads = new Map<number, ThreadLoop>();

  #loop(thread: number): ThreadLoop {
    let loop = this.#threads.get(thread);
    if (!loop) {
      loop = new ThreadLoop(thread);
      this.#threads.set(thread, loop);
    }
    return loop;
  }

  process(event: TraceEvent): void {
    switch (event.kind) {
      case EventKind.AsyncInit: {
        const loop = this.#loop(event.thread);
        loop.createdIn.set(event.objectLo, loop.current);
        loop.triggers.set(event.objectLo, event.arg);
        break;
      }
      case EventKind.AsyncBefore: {
        const loop = this.#loop(event.thread);
        const id = event.objectLo;
        // An await's continuation (width 1): its promise was made where the task last ran, and waits on the
        // promise in objectHi (the tracer records no AsyncInit for it).
        const awaited = event.width === 1;
        const created = awaited ? loop.taskLast.get(event.arg) : loop.createdIn.get(id);
        const trigger = awaited ? event.objectHi : loop.triggers.get(id);
        // A reaction's own promise settles as that reaction ends (the tracer leaves that settlement out).
        const settled = trigger < 0 ? -1 : loop.settledIn.get(trigger) >= 0 ? loop.settledIn.get(trigger) : loop.lastRun.get(trigger);
        const previous = loop.lastRun.get(id);
        const segment = loop.segments.add(created, settled, previous);
        loop.lastRun.set(id, segment);
        loop.current = segment;
        loop.currentTask = event.arg;
        loop.touch(event.arg);
        break;
      }
      case EventKind.PromiseResolve: {
        const loop = this.#loop(event.thread);
        const inputs = loop.joins.get(event.objectLo);
        let settled = loop.current;
        if (inputs) {
          // A segment of its own stands for "after all of the inputs": joined two at a time.
          for (let i = 0; i < inputs.length; i += 2) {
            settled = loop.segments.add(settled, loop.settledIn.get(inputs[i]!), i + 1 < inputs.length ? loop.settledIn.get(inputs[i + 1]!) : -1);
          }
          loop.joins.delete(event.objectLo);
        }
        loop.settledIn.set(event.objectLo, settled);
        break;
      }
      case EventKind.AsyncJoin: {
        const loop = this.#loop(event.thread);
        const inputs = loop.joins.get(event.objectLo) ?? [];
        inputs.push(event.arg);
        loop.joins.set(event.objectLo, inputs);
        break;
      }
      case EventKind.AsyncTaskEnter: {
        const loop = this.#loop(event.thread);
        const task = event.objectLo;
        loop.taskParent.set(task, event.arg);
        loop.taskSite.set(task, event.site);
        loop.touch(task);
        break;
      }
      case EventKind.StaleRead:
        this.#loop(event.thread).stale = { object: event.objectHi, key: event.objectLo, readSite: event.site, awaitSite: event.arg };
        break;
      case EventKind.StateWrite:
        this.#onWrite(this.#loop(event.thread), event);
        break;
      case EventKind.LockRelease: {
        const loop = this.#threads.get(event.thread);
        if (!loop) break;
        const lock = joinObjectId(event.objectHi, event.objectLo);
        loop.releasedIn.set(lock, loop.current);
        if (loop.holders.has(lock)) loop.drop(lock, loop.currentTask);
        break;
      }
      case EventKind.LockAcquired: {
        // racecheck's own lock taken by an async task: the releasing segment happens before the rest, and
        // the task holds it (its order with the task's other locks matters when an await comes between).
        const loop = this.#threads.get(event.thread);
        if (!loop) break;
        const lock = joinObjectId(event.objectHi, event.objectLo);
        const released = loop.releasedIn.get(lock);
        if (released !== undefined && released !== loop.current) {
          const segment = loop.segments.add(loop.current, released, -1);
          loop.current = segment;
        }
        if (loop.currentTask !== 0 && event.arg === AcquireMode.Blocking) loop.take(loop.currentTask, lock, event.site);
        break;
      }
      case EventKind.AsyncLockRequest:
        this.#onRequest(this.#loop(event.thread), event);
        break;
      case EventKind.AsyncLockGranted:
        this.#onGranted(this.#loop(event.thread), event);
        break;
      case EventKind.AsyncLockRelease:
        this.#onLockRelease(this.#loop(event.thread), event);
        break;
      case EventKind.AsyncDrained: {
        const loop = this.#loop(event.thread);
        loop.drained = true;
        loop.stuckAwaits = [];
        break;
      }
      case EventKind.AsyncPending:
        this.#loop(event.thread).stuckAwaits.push({ task: event.arg, site: event.site });
        break;
      default:
        break;
    }
  }

  #onWrite(loop: ThreadLoop, event: TraceEvent): void {
    const segment = loop.current;
    const task = event.arg;
    loop.touch(task);
    const pending = loop.stale;
    loop.stale = undefined;
    const write: AsyncWrite = { site: event.site, task, segment };
    if (pending && pending.object === event.objectHi && pending.key === event.objectLo) write.stale = { readSite: pending.readSite, awaitSite: pending.awaitSite };
    const location = event.objectHi * 2 ** 32 + (event.objectLo >>> 0);
    const writes = loop.writes.get(location) ?? [];
    const kept: AsyncWrite[] = [];
    for (const earlier of writes) {
      const ordered = earlier.segment === segment || loop.segments.reaches(earlier.segment, segment);
      if (!ordered && (earlier.stale || write.stale)) this.#race(loop, event, write, earlier);
      // An earlier write ordered before this one is covered by it, unless it is the stale one of the two.
      if (!ordered || (earlier.stale && !write.stale)) kept.push(earlier);
    }
    kept.push(write);
    loop.writes.set(location, kept.length > MAX_WRITES ? kept.slice(kept.length - MAX_WRITES) : kept);
  }

  #race(loop: ThreadLoop, event: TraceEvent, write: AsyncWrite, earlier: AsyncWrite): void {
    const [primary, other] = write.stale ? [write, earlier] : [earlier, write];
    const key = `${primary.stale!.readSite}:${primary.site}:${other.site}`;
    const known = loop.races.get(key);
    if (known) {
      known.count++;
      return;
    }
    loop.races.set(key, { thread: loop.thread, object: event.objectHi, key: event.objectLo, write: primary, other, count: 1 });
  }

  #onRequest(loop: ThreadLoop, event: TraceEvent): void {
    const lock = joinObjectId(event.objectHi, event.objectLo);
    loop.touch(event.arg);
    loop.requests.set(`${lock}:${event.arg}`, { task: event.arg, lock, site: event.site });
  }

  #onGranted(loop: ThreadLoop, event: TraceEvent): void {
    const lock = joinObjectId(event.objectHi, event.objectLo);
    const task = event.arg;
    loop.requests.delete(`${lock}:${task}`);
    if (event.width === 1) return; // withdrawn (cancelled)
    loop.touch(task);
    loop.take(task, lock, event.site);
  }

  #onLockRelease(loop: ThreadLoop, event: TraceEvent): void {
    loop.drop(joinObjectId(event.objectHi, event.objectLo), event.arg);
  }

  races(): AsyncRace[] {
    return [...this.#threads.values()].flatMap((loop) => [...loop.races.values()]);
  }

  /** Lock-order cycles between tasks that could be in progress at once, with their thread. */
  lockCycles(shape: (cycle: LockCycle['edges']) => string): { thread: number; cycle: LockCycle }[] {
    return [...this.#threads.values()].flatMap((loop) =>
      loop.graph.takeReport((a, b) => loop.concurrent(a, b), shape).map((cycle) => ({ thread: loop.thread, cycle })),
    );
  }

  /** Tasks still waiting for async locks at the end: waits for themselves, for each other, or for a holder that never let go. */
  deadlocks(isMutex: (lock: number) => boolean): AsyncDeadlock[] {
    const found: AsyncDeadlock[] = [];
    for (const loop of this.#threads.values()) {
      const waitsOf = new Map<number, LockWait>();
      for (const wait of loop.requests.values()) for (const task of loop.lineage(wait.task)) if (!waitsOf.has(task)) waitsOf.set(task, wait);
      const reported = new Set<LockWait>();
      for (const wait of loop.requests.values()) {
        if (reported.has(wait)) continue;
        const holder = isMutex(wait.lock) ? loop.holders.get(wait.lock) : undefined;
        if (!holder) {
          if (loop.drained) {
            reported.add(wait);
            found.push({ thread: loop.thread, kind: 'stuck', waits: [wait] });
          }
          continue;
        }
        const first = { ...wait, holder };
        if ([...loop.lineage(wait.task)].includes(holder.task)) {
          reported.add(wait);
          found.push({ thread: loop.thread, kind: 'self', waits: [first] });
          continue;
        }
        // Follow who waits for whom until the chain comes back (a cycle) or stops (a holder not waiting).
        const chain: LockWait[] = [first];
        const visited = new Set<number>([wait.task]);
        let current = holder.task;
        let cycle = false;
        while (!visited.has(current)) {
          visited.add(current);
          const next = waitsOf.get(current);
          if (!next) break;
          const nextHolder = isMutex(next.lock) ? loop.holders.get(next.lock) : undefined;
          if (!nextHolder) break;
          chain.push({ ...next, holder: nextHolder });
          if ([...loop.lineage(wait.task)].includes(nextHolder.task)) {
            cycle = true;
            break;
          }
          current = nextHolder.task;
        }
        if (cycle) {
          for (const link of chain) for (const request of loop.requests.values()) if (request.lock === link.lock && request.task === link.task) reported.add(request);
          found.push({ thread: loop.thread, kind: 'cycle', waits: chain });
        } else if (loop.drained) {
          reported.add(wait);
          found.push({ thread: loop.thread, kind: 'stuck', waits: [first] });
        }
      }
    }
    return found;
  }

  /**
   * Awaits that never resumed when the event loop ran dry, leaving out the tasks that wait for an async
   * lock and those waiting for them (their deadlock is reported as such).
   */
  stuckAwaits(): StuckAwaits[] {
    const found: StuckAwaits[] = [];
    for (const loop of this.#threads.values()) {
      if (!loop.drained || loop.stuckAwaits.length === 0) continue;
      const lockBound = new Set<number>();
      for (const wait of loop.requests.values()) for (const task of loop.lineage(wait.task)) lockBound.add(task);
      const awaits = loop.stuckAwaits.filter((entry) => !lockBound.has(entry.task));
      if (awaits.length > 0) found.push({ thread: loop.thread, awaits });
    }
    return found;
  }

  /** Where a task's function is, and the task that called it. */
  task(thread: number, task: number): { site: number; parent: number } | undefined {
    const loop = this.#threads.get(thread);
    if (!loop || loop.taskFirst.get(task) < 0) return undefined;
    return { site: Math.max(0, loop.taskSite.get(task)), parent: Math.max(0, loop.taskParent.get(task)) };
  }
}

/** Is this object type one of async-mutex's locks that have a single holder? */
export function isAsyncMutexType(type: number | undefined): boolean {
  return type === ObjectType.AsyncMutex;
}
