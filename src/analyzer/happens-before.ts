/**
 * The happens-before checker: vector clocks per thread and per synchronisation object, and FastTrack
 * (Flanagan & Freund, PLDI 2009) shadow state per memory location — an epoch for the last write, an epoch
 * for the last read until reads by unordered threads make it a vector clock (read-shared). A race is two
 * accesses to one location, at least one a write, with neither happening before the other: found whether
 * or not the two collided in this run, because the check is ordering, not timing.
 *
 * Atomics synchronise per location, as ThreadSanitizer has it. Every thread also keeps a second, permissive
 * clock that additionally treats any two Atomics operations as ordered, whatever location they touch: a
 * race that only the permissive clocks order is still a data race, and its report says that Atomics on
 * other locations ran between the two accesses (a protocol of the program's own may order them, which it
 * can declare with happensBefore/happensAfter).
 *
 * Pure: events in, races out. No I/O, no threads.
 */
import { EventKind, joinObjectId, type TraceEvent } from '../tracer/schema.js';
import { MemoryShadow, PAGE_BITS, PAGE_MASK, PAGE_SIZE, READER_SLOTS, Shadow } from './memory-shadow.js';
import { VectorClock } from './vector-clock.js';

export type Access = 'read' | 'write';

export interface AccessSide {
  thread: number;
  site: number;
  /** Id of the set of locks held (LocksetTable). */
  lockset: number;
  access: Access;
}

export interface Race {
  earlier: AccessSide;
  later: AccessSide;
  /** The permissive clocks order the two: Atomics on other locations ran between them (a hint, never a verdict). */
  unmodeled: boolean;
  buffer: number;
  offset: number;
  count: number;
}

/** Interns sets of held locks (sorted object ids) as small ids; 0 is the empty set. */
export class LocksetTable {
  readonly #ids = new Map<string, number>();
  readonly sets: number[][] = [[]];

  idOf(locks: readonly number[]): number {
    if (locks.length === 0) return 0;
    const sorted = [...locks].sort((a, b) => a - b);
    const key = sorted.join(',');
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(sorted);
      this.#ids.set(key, id);
    }
    return id;
  }
}

export interface ThreadState {
  /** threadId as recorded. */
  id: number;
  /** Dense index in vector clocks. */
  index: number;
  clock: VectorClock;
  permissive: VectorClock;
  /** Locks held, in acquisition order, with the site and sequence of each acquisition. */
  held: { lock: number; site: number; mode: number }[];
  lockset: number;
  started?: VectorClock;
  exited?: VectorClock;
}

const ATOMICS_ANYWHERE = -1;

export class HappensBeforeChecker {
  readonly locksets = new LocksetTable();
  readonly threads = new Map<number, ThreadState>();
  /** Races, deduplicated by (unordered) site pair. */
  readonly races = new Map<string, Race>();
  readonly #byIndex: ThreadState[] = [];
  /** Clocks of synchronisation objects: strict, and permissive. */
  readonly #sync = new Map<number | string, VectorClock>();
  readonly #permissiveSync = new Map<number | string, VectorClock>();
  readonly #memory = new MemoryShadow();
  /** The thread that started under each spawn token. */
  readonly #startedBy = new Map<number, ThreadState>();
  /** Memory events checked (after same-epoch filtering, everything counts). */
  accesses = 0;

  thread(id: number): ThreadState {
    let state = this.threads.get(id);
    if (!state) {
      const index = this.#byIndex.length;
      const clock = new VectorClock();
      clock.set(index, 1);
      state = { id, index, clock, permissive: clock.copy(), held: [], lockset: 0 };
      this.threads.set(id, state);
      this.#byIndex.push(state);
    }
    return state;
  }

  #clockOf(key: number | string, permissive: boolean): VectorClock {
    const table = permissive ? this.#permissiveSync : this.#sync;
    let clock = table.get(key);
    if (!clock) {
      clock = new VectorClock();
      table.set(key, clock);
    }
    return clock;
  }

  /** Release (accumulating) on `key`, then the thread moves on. */
  #release(t: ThreadState, key: number | string): void {
    this.#clockOf(key, false).release(t.clock);
    this.#clockOf(key, true).release(t.permissive);
    this.#tick(t);
  }

  /** Release-store on `key` (a lock: each release replaces the last), then the thread moves on. */
  #releaseStore(t: ThreadState, key: number | string): void {
    this.#clockOf(key, false).releaseStore(t.clock);
    this.#clockOf(key, true).releaseStore(t.permissive);
    this.#tick(t);
  }

  #acquire(t: ThreadState, key: number | string, consume = false): void {
    const strict = this.#sync.get(key);
    if (strict) t.clock.acquire(strict);
    const permissive = this.#permissiveSync.get(key);
    if (permissive) t.permissive.acquire(permissive);
    if (consume) {
      this.#sync.delete(key);
      this.#permissiveSync.delete(key);
    }
  }

  #tick(t: ThreadState): void {
    t.clock.tick(t.index);
    t.permissive.tick(t.index);
  }

  /** Counts `lock` as held by `thread` (a lock recognised from its Atomics, whose edges come from those). */
  hold(thread: number, lock: number, site: number): void {
    const t = this.thread(thread);
    t.held.push({ lock, site, mode: 0 });
    t.lockset = this.locksets.idOf(t.held.map((h) => h.lock));
  }

  unhold(thread: number, lock: number): void {
    const t = this.thread(thread);
    const at = t.held.findIndex((h) => h.lock === lock);
    if (at < 0) return;
    t.held.splice(at, 1);
    t.lockset = this.locksets.idOf(t.held.map((h) => h.lock));
  }

  /** Feeds one event; returns the thread state it concerned. */
  process(event: TraceEvent): ThreadState {
    const t = this.thread(event.thread);
    const object = joinObjectId(event.objectHi, event.objectLo);
    switch (event.kind) {
      case EventKind.MemoryRead:
      case EventKind.MemoryWrite: {
        // `detail` > 1: a run of consecutive elements accessed at one site in one epoch.
        const access = event.kind === EventKind.MemoryRead ? 'read' : 'write';
        const width = Math.max(1, event.width);
        if (event.detail > 1) this.#accessRun(t, event, object, access, event.arg, width, event.detail);
        else this.#accessOne(t, event, object, access, event.arg, width);
        break;
      }
      case EventKind.ThreadSpawn:
        this.#releaseStore(t, `spawn:${object}`);
        break;
      case EventKind.ThreadStart:
        this.#acquire(t, `spawn:${object}`, true);
        t.started = t.clock.copy();
        this.#startedBy.set(object, t);
        break;
      case EventKind.ThreadExit:
        t.exited = t.clock.copy();
        this.#releaseStore(t, `exit:${object}`);
        break;
      case EventKind.ThreadJoin: {
        this.#acquire(t, `exit:${object}`);
        // A terminated worker records no exit: everything it did still happened before the join was seen.
        const child = this.#startedBy.get(object);
        if (child && !child.exited && child !== t) t.clock.acquire(child.clock);
        break;
      }
      case EventKind.LockAcquired:
        this.#acquire(t, object);
        t.held.push({ lock: object, site: event.site, mode: event.arg });
        t.lockset = this.locksets.idOf(t.held.map((h) => h.lock));
        break;
      case EventKind.LockRelease: {
        this.#releaseStore(t, object);
        const at = t.held.findIndex((h) => h.lock === object);
        if (at >= 0) t.held.splice(at, 1);
        t.lockset = this.locksets.idOf(t.held.map((h) => h.lock));
        break;
      }
      case EventKind.ConditionNotify:
      case EventKind.EventSet:
      case EventKind.SemaphoreRelease:
      case EventKind.AnnotateBefore:
        this.#release(t, `${event.kind === EventKind.AnnotateBefore ? 'note' : 'sig'}:${object}`);
        break;
      case EventKind.ConditionWaitEnd:
      case EventKind.EventWaitEnd:
        if (event.arg === 1) this.#acquire(t, `sig:${object}`);
        break;
      case EventKind.SemaphoreAcquire:
        this.#acquire(t, `sig:${object}`);
        break;
      case EventKind.AnnotateAfter:
        this.#acquire(t, `note:${object}`);
        break;
      case EventKind.BarrierArrive:
        this.#release(t, `barrier:${object}:${event.arg}`);
        // Two phases back can no longer be left: forget it, so memory does not grow with phases.
        this.#sync.delete(`barrier:${object}:${event.arg - 2}`);
        this.#permissiveSync.delete(`barrier:${object}:${event.arg - 2}`);
        break;
      case EventKind.BarrierLeave:
        this.#acquire(t, `barrier:${object}:${event.arg}`);
        break;
      case EventKind.QueuePut:
      case EventKind.PipeSend:
        this.#releaseStore(t, `item:${object}:${event.arg}`);
        break;
      case EventKind.QueueGet:
      case EventKind.PipeRecv:
        this.#acquire(t, `item:${object}:${event.arg}`, true);
        break;
      case EventKind.MessageSend:
        this.#releaseStore(t, `message:${object}`);
        break;
      case EventKind.MessageReceive:
        this.#acquire(t, `message:${object}`, true);
        break;
      case EventKind.AtomicStore:
      case EventKind.AtomicNotify:
        this.#release(t, `atomic:${object}:${event.arg}`);
        this.#clockOf(ATOMICS_ANYWHERE, true).release(t.permissive);
        break;
      case EventKind.AtomicLoad:
      case EventKind.AtomicWait:
        this.#acquire(t, `atomic:${object}:${event.arg}`);
        t.permissive.acquire(this.#clockOf(ATOMICS_ANYWHERE, true));
        break;
      case EventKind.AtomicReadModifyWrite:
        this.#acquire(t, `atomic:${object}:${event.arg}`);
        t.permissive.acquire(this.#clockOf(ATOMICS_ANYWHERE, true));
        this.#release(t, `atomic:${object}:${event.arg}`);
        this.#clockOf(ATOMICS_ANYWHERE, true).release(t.permissive);
        break;
      default:
        break;
    }
    return t;
  }

  /**
   * An access of `count` elements of `width` from byte `first`, checked against what accesses of the
   * buffer's other widths left in the elements it overlaps (an Int32Array and a Float64Array view of the
   * same bytes are one memory). Those states are read, not changed: each access updates the state of its
   * own width, and whichever of two overlapping accesses comes second finds the first.
   */
  #checkOtherWidths(t: ThreadState, event: TraceEvent, buffer: number, access: Access, first: number, width: number, count: number): void {
    const byWidth = this.#memory.byWidth(buffer);
    const end = first + count * width;
    for (const other of this.#memory.lastWidths) {
      if (other === width) continue;
      const pages = byWidth[other]!;
      const last = Math.ceil(end / other);
      let element = Math.floor(first / other);
      while (element < last) {
        const page = pages[element >>> PAGE_BITS];
        const slot = element & PAGE_MASK;
        const limit = Math.min(last - element, PAGE_SIZE - slot);
        if (!page) {
          element += limit;
          continue;
        }
        const id = page[slot]!;
        let length = 1;
        while (length < limit && page[slot + length] === id) length++;
        if (id !== 0) this.#conflicts(t, event, this.#memory.states[id]!, buffer, access, Math.max(first, element * other));
        element += length;
      }
    }
  }

  /**
   * Reports what in `cell` conflicts with this access, without changing it: FastTrack's checks, shared by
   * the access's own location (#check, which then updates it) and overlapping ones of other widths.
   */
  #conflicts(t: ThreadState, event: TraceEvent, cell: Shadow, buffer: number, access: Access, offset: number): void {
    const me = t.index;
    if (cell.writeThread >= 0 && cell.writeThread !== me && !t.clock.covers(cell.writeThread, cell.writeClock)) {
      this.#report(t, event, access, { thread: cell.writeOwner, site: cell.writeSite, lockset: cell.writeLockset, access: 'write' }, cell.writeThread, cell.writeClock, buffer, offset);
    }
    if (access !== 'write') return;
    if (cell.readers) {
      const readers = cell.readers;
      for (let at = 0; at < readers.length; at += READER_SLOTS) {
        const reader = readers[at]!;
        const clock = readers[at + 1]!;
        if (reader !== me && !t.clock.covers(reader, clock)) {
          this.#report(t, event, 'write', { thread: readers[at + 4]!, site: readers[at + 2]!, lockset: readers[at + 3]!, access: 'read' }, reader, clock, buffer, offset);
        }
      }
    } else if (cell.readThread >= 0 && cell.readThread !== me && !t.clock.covers(cell.readThread, cell.readClock)) {
      this.#report(t, event, 'write', { thread: cell.readOwner, site: cell.readSite, lockset: cell.readLockset, access: 'read' }, cell.readThread, cell.readClock, buffer, offset);
    }
  }

  /**
   * A run of `count` elements accessed at one site in one epoch. Consecutive locations in the same state
   * (all new, or sharing one state from an earlier run) get the same answer: the access is checked once
   * and its resulting state shared by all of them, copied when some of them change. Races are counted
   * once per such stretch.
   */
  /** One element: the common case, kept small so that it stays fast. */
  #accessOne(t: ThreadState, event: TraceEvent, buffer: number, access: Access, offset: number, width: number): void {
    const memory = this.#memory;
    const pages = memory.pagesOf(buffer, width);
    if (memory.lastWidths.length > 1) this.#checkOtherWidths(t, event, buffer, access, offset, width, 1);
    this.#check(t, event, memory.ownState(pages, Math.floor(offset / width)), buffer, access, offset);
  }

  #accessRun(t: ThreadState, event: TraceEvent, buffer: number, access: Access, first: number, width: number, count: number): void {
    const memory = this.#memory;
    const pages = memory.pagesOf(buffer, width);
    if (memory.lastWidths.length > 1) this.#checkOtherWidths(t, event, buffer, access, first, width, count);
    const base = Math.floor(first / width);
    let i = 0;
    while (i < count) {
      const element = base + i;
      const page = (pages[element >>> PAGE_BITS] ??= new Int32Array(PAGE_SIZE));
      const slot = element & PAGE_MASK;
      const limit = Math.min(count - i, PAGE_SIZE - slot);
      const id = page[slot]!;
      let length = 1;
      while (length < limit && page[slot + length] === id) length++;
      this.accesses += length - 1;
      let state: Shadow;
      if (id === 0) {
        state = new Shadow();
        page.fill(memory.stateId(state, length), slot, slot + length);
        memory.locations += length;
      } else {
        state = memory.states[id]!;
        if (state.refs !== length) {
          // Others share the state: these locations move to a copy of their own.
          state.refs -= length;
          state = state.copy();
          page.fill(memory.stateId(state, length), slot, slot + length);
        }
      }
      this.#check(t, event, state, buffer, access, first + i * width);
      i += length;
    }
  }

  /** FastTrack's checks and update of one location's state `cell`. */
  #check(t: ThreadState, event: TraceEvent, cell: Shadow, buffer: number, access: Access, offset: number): void {
    this.accesses++;
    const me = t.index;
    const now = t.clock.get(me);
    if (access === 'read') {
      // Same epoch as this thread's last read: nothing new to learn (FastTrack's common case).
      if (cell.readers === null && cell.readThread === me && cell.readClock === now) return;
      this.#conflicts(t, event, cell, buffer, access, offset);
      if (cell.readers) {
        const readers = cell.readers;
        let at = 0;
        while (at < readers.length && readers[at] !== me) at += READER_SLOTS;
        readers[at] = me;
        readers[at + 1] = now;
        readers[at + 2] = event.site;
        readers[at + 3] = t.lockset;
        readers[at + 4] = t.id;
      } else if (cell.readThread < 0 || cell.readThread === me || t.clock.covers(cell.readThread, cell.readClock)) {
        cell.readThread = me;
        cell.readClock = now;
        cell.readSite = event.site;
        cell.readLockset = t.lockset;
        cell.readOwner = t.id;
      } else {
        cell.readers = [cell.readThread, cell.readClock, cell.readSite, cell.readLockset, cell.readOwner, me, now, event.site, t.lockset, t.id];
        cell.readThread = -1;
      }
      return;
    }
    if (cell.writeThread === me && cell.writeClock === now && cell.readers === null && (cell.readThread < 0 || cell.readThread === me)) return;
    this.#conflicts(t, event, cell, buffer, access, offset);
    cell.readers = null;
    cell.readThread = -1;
    cell.writeThread = me;
    cell.writeClock = now;
    cell.writeSite = event.site;
    cell.writeLockset = t.lockset;
    cell.writeOwner = t.id;
  }

  #report(t: ThreadState, event: TraceEvent, access: Access, earlier: AccessSide, earlierIndex: number, earlierClock: number, buffer: number, offset: number): void {
    const a = Math.min(earlier.site, event.site);
    const b = Math.max(earlier.site, event.site);
    const key = `${a}:${b}`;
    const known = this.races.get(key);
    if (known) {
      known.count++;
      return;
    }
    this.races.set(key, {
      earlier,
      later: { thread: t.id, site: event.site, lockset: t.lockset, access },
      unmodeled: t.permissive.covers(earlierIndex, earlierClock),
      buffer,
      offset,
      count: 1,
    });
  }

  /** Can threads `a` and `b` ever run at the same time? Not if one exited before the other started. */
  canRunConcurrently(a: number, b: number): boolean {
    const ta = this.threads.get(a);
    const tb = this.threads.get(b);
    if (!ta || !tb) return true;
    if (ta.exited && tb.started && tb.started.coversAll(ta.exited)) return false;
    if (tb.exited && ta.started && ta.started.coversAll(tb.exited)) return false;
    return true;
  }

  /** Memory held in shadow state: locations touched (for the memory benchmark and sanity checks). */
  get locations(): number {
    return this.#memory.locations;
  }
}
