/**
 * Lock (non-reentrant) and RLock (reentrant, owned by a thread), shared across worker threads.
 * Both follow Python's `threading` semantics: `acquire()` returns whether the lock was taken, a Lock may be
 * released by any thread, an RLock only by its owner. Async forms let the main thread wait without
 * freezing its event loop.
 */
import { threadId } from 'node:worker_threads';
import { InvalidArgumentError, LockNotHeldError, LockNotOwnedError } from '../core/errors.js';
import { AcquireMode, EventKind, ObjectType } from '../tracer/schema.js';
import { emit, onTracingChange, tracing } from '../tracer/probe.js';
import { FAIR_LOCK_MAX_WAITERS, LockLayout, RLockLayout, Tag } from './layout.js';
import { lockWordAsync, lockWordSync, tryLockWord, unlockWord } from './mutex-word.js';
import { openWords } from './open.js';
import {
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  registerReviver,
  type Shareable,
  type SharedDescriptor,
} from '../core/handles.js';
import { deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

export interface AcquireOptions {
  /** false: take the lock only if it is free right now (try-acquire). Default true. */
  blocking?: boolean;
  /** Milliseconds to wait at most; not allowed with `blocking: false`. */
  timeout?: number;
}

/** Our id in owner words: 0 means "nobody", so thread ids are shifted by one. */
const self = threadId + 1;

/** The hooks a Condition needs from the lock it is built on (Python's `_release_save`/`_acquire_restore`). */
export const conditionHooks = Symbol('racecheck.conditionHooks');

export interface ConditionLockHooks {
  isOwned(): boolean;
  /** Fully releases the lock and returns what `acquireRestore` needs to take it back as it was. */
  releaseSave(): number;
  acquireRestore(saved: number): void;
  acquireRestoreAsync(saved: number): Promise<void>;
}

export interface Lockable extends Shareable {
  acquire(options?: AcquireOptions): boolean;
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  release(): void;
  locked(): boolean;
  withLock<T>(fn: () => T): T;
  withLockAsync<T>(fn: () => T | Promise<T>): Promise<T>;
  readonly [conditionHooks]: ConditionLockHooks;
}

export function acquireDeadline(options: AcquireOptions | undefined, where: string): number {
  const blocking = options?.blocking ?? true;
  if (!blocking) {
    if (options?.timeout !== undefined) {
      throw new InvalidArgumentError(`${where}: a timeout cannot be given with blocking: false`);
    }
    return 0;
  }
  return deadlineAfter(options?.timeout, where);
}

/** Runs `fn` with the lock held, releasing it however `fn` ends. */
function runLocked<T>(lock: Lockable, fn: () => T): T {
  lock.acquire();
  try {
    return fn();
  } finally {
    lock.release();
  }
}

async function runLockedAsync<T>(lock: Lockable, fn: () => T | Promise<T>): Promise<T> {
  await lock.acquireAsync();
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

export interface LockOptions {
  /**
   * Hand the lock to waiters in the order they asked (FIFO), so that none starves. Costs a little more
   * than the default, where a thread that just released may take the lock again before a woken waiter.
   */
  fair?: boolean;
}

const { TICKET, SERVING, GUARD, CANCELLED } = LockLayout;

export class Lock implements Lockable {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;
  readonly #fair: boolean;
  readonly [conditionHooks]: ConditionLockHooks;

  /** A new lock, or (given a shared descriptor) a handle on an existing one. */
  constructor(options?: LockOptions | SharedDescriptor) {
    const shared = options && 'type' in options ? (options as SharedDescriptor) : undefined;
    ({ words: this.#words, id: this.#id } = openWords(shared, Tag.Lock, LockLayout.WORDS, 'Lock', ObjectType.Lock));
    if (!shared && (options as LockOptions | undefined)?.fair) this.#words[LockLayout.FAIR] = 1;
    this.#fair = this.#words[LockLayout.FAIR] === 1;
    exposeDescriptor(this, describe('Lock', this.#words));
    const words = this.#words;
    this[conditionHooks] = {
      isOwned: () => words[LockLayout.OWNER] === self && this.locked(),
      releaseSave: () => {
        this.release();
        return 0;
      },
      acquireRestore: () => {
        this.acquire();
      },
      acquireRestoreAsync: async () => {
        await this.acquireAsync();
      },
    };
  }

  /** The lock's identity in traces and reports, the same in every thread. */
  get objectId(): number {
    return this.#id;
  }

  get fair(): boolean {
    return this.#fair;
  }

  acquire(options?: AcquireOptions): boolean {
    const deadline = acquireDeadline(options, 'Lock.acquire');
    const words = this.#words;
    const taken = this.#fair
      ? this.#acquireFair(deadline)
      : tryLockWord(words, LockLayout.STATE) || (deadline > 0 && lockWordSync(words, LockLayout.STATE, deadline));
    if (taken) words[LockLayout.OWNER] = self;
    return taken;
  }

  async acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'Lock.acquireAsync');
    const words = this.#words;
    const taken = this.#fair
      ? await this.#acquireFairAsync(deadline, options?.signal)
      : tryLockWord(words, LockLayout.STATE) || (await lockWordAsync(words, LockLayout.STATE, deadline, options?.signal));
    if (taken) words[LockLayout.OWNER] = self;
    return taken;
  }

  release(): void {
    const words = this.#words;
    if (!this.locked()) throw new LockNotHeldError('Lock.release: the lock is not locked');
    words[LockLayout.OWNER] = 0;
    if (this.#fair) this.#handOver();
    else unlockWord(words, LockLayout.STATE);
  }

  /** True while some thread holds the lock (a snapshot: another thread may change it right after). */
  locked(): boolean {
    const words = this.#words;
    return this.#fair ? Atomics.load(words, SERVING) !== Atomics.load(words, TICKET) : Atomics.load(words, LockLayout.STATE) !== 0;
  }

  /** Threads holding or waiting for a fair lock (0 for the default kind, which keeps no queue). */
  get queueLength(): number {
    return this.#fair ? (Atomics.load(this.#words, TICKET) - Atomics.load(this.#words, SERVING)) | 0 : 0;
  }

  // A fair lock is a ticket lock: each acquirer takes the next ticket and owns the lock when SERVING reaches
  // it; a release moves SERVING to the next ticket whose waiter has not given up. A waiter that times out
  // marks its ticket cancelled under GUARD, which the hand-over also takes, so a ticket is never handed to a
  // waiter that has already left.

  #acquireFair(deadline: number): boolean {
    const words = this.#words;
    if (deadline === 0) {
      const serving = Atomics.load(words, SERVING);
      return Atomics.compareExchange(words, TICKET, serving, (serving + 1) | 0) === serving;
    }
    const ticket = this.#takeTicket();
    for (;;) {
      const serving = Atomics.load(words, SERVING);
      if (serving === ticket) return true;
      if (!sleepSync(words, SERVING, serving, deadline)) return this.#giveUp(ticket);
    }
  }

  async #acquireFairAsync(deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
    const words = this.#words;
    const ticket = this.#takeTicket();
    for (;;) {
      const serving = Atomics.load(words, SERVING);
      if (serving === ticket) return true;
      let slept: boolean;
      try {
        slept = await sleepAsync(words, SERVING, serving, deadline, signal);
      } catch (reason) {
        // Aborted: leave the queue; if the lock reached us meanwhile, pass it on.
        if (this.#giveUp(ticket)) this.#handOver();
        throw reason;
      }
      if (!slept) return this.#giveUp(ticket);
    }
  }

  #takeTicket(): number {
    const words = this.#words;
    if (((Atomics.load(words, TICKET) - Atomics.load(words, SERVING)) | 0) >= FAIR_LOCK_MAX_WAITERS) {
      throw new InvalidArgumentError(`Lock.acquire: more than ${FAIR_LOCK_MAX_WAITERS} threads waiting for a fair lock`);
    }
    return Atomics.add(words, TICKET, 1);
  }

  /** The waiter of `ticket` stops waiting; true if the lock had already been handed to it (it owns it). */
  #giveUp(ticket: number): boolean {
    const words = this.#words;
    lockWordSync(words, GUARD, Infinity);
    const owns = Atomics.load(words, SERVING) === ticket;
    if (!owns) {
      const bit = ticket & (FAIR_LOCK_MAX_WAITERS - 1);
      Atomics.or(words, CANCELLED + (bit >>> 5), 1 << (bit & 31));
    }
    unlockWord(words, GUARD);
    return owns;
  }

  #handOver(): void {
    const words = this.#words;
    lockWordSync(words, GUARD, Infinity);
    const end = Atomics.load(words, TICKET);
    let next = (Atomics.load(words, SERVING) + 1) | 0;
    while (next !== end) {
      const bit = next & (FAIR_LOCK_MAX_WAITERS - 1);
      const index = CANCELLED + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if ((Atomics.load(words, index) & mask) === 0) break;
      Atomics.and(words, index, ~mask);
      next = (next + 1) | 0;
    }
    Atomics.store(words, SERVING, next);
    unlockWord(words, GUARD);
    Atomics.notify(words, SERVING);
  }

  withLock<T>(fn: () => T): T {
    return runLocked(this, fn);
  }

  withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    return runLockedAsync(this, fn);
  }
}

export class RLock implements Lockable {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;
  readonly [conditionHooks]: ConditionLockHooks;

  constructor(shared?: SharedDescriptor) {
    ({ words: this.#words, id: this.#id } = openWords(shared, Tag.RLock, RLockLayout.WORDS, 'RLock', ObjectType.RLock));
    exposeDescriptor(this, describe('RLock', this.#words));
    const words = this.#words;
    this[conditionHooks] = {
      isOwned: () => Atomics.load(words, RLockLayout.OWNER) === self,
      releaseSave: () => {
        const count = words[RLockLayout.COUNT] ?? 0;
        if (tracing) emit(EventKind.LockRelease, this.#id);
        words[RLockLayout.COUNT] = 0;
        Atomics.store(words, RLockLayout.OWNER, 0);
        unlockWord(words, RLockLayout.STATE);
        return count;
      },
      acquireRestore: (count) => {
        lockWordSync(words, RLockLayout.STATE, Infinity);
        this.#own(count);
        if (tracing) emit(EventKind.LockAcquired, this.#id);
      },
      acquireRestoreAsync: async (count) => {
        await lockWordAsync(words, RLockLayout.STATE, Infinity);
        this.#own(count);
        if (tracing) emit(EventKind.LockAcquired, this.#id);
      },
    };
  }

  get objectId(): number {
    return this.#id;
  }

  #own(count: number): void {
    Atomics.store(this.#words, RLockLayout.OWNER, self);
    this.#words[RLockLayout.COUNT] = count;
  }

  acquire(options?: AcquireOptions): boolean {
    const deadline = acquireDeadline(options, 'RLock.acquire');
    const words = this.#words;
    if (Atomics.load(words, RLockLayout.OWNER) === self) {
      words[RLockLayout.COUNT] = (words[RLockLayout.COUNT] ?? 0) + 1;
      return true;
    }
    const taken =
      tryLockWord(words, RLockLayout.STATE) || (deadline > 0 && lockWordSync(words, RLockLayout.STATE, deadline));
    if (taken) this.#own(1);
    return taken;
  }

  async acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'RLock.acquireAsync');
    const words = this.#words;
    if (Atomics.load(words, RLockLayout.OWNER) === self) {
      words[RLockLayout.COUNT] = (words[RLockLayout.COUNT] ?? 0) + 1;
      return true;
    }
    const taken =
      tryLockWord(words, RLockLayout.STATE) ||
      (await lockWordAsync(words, RLockLayout.STATE, deadline, options?.signal));
    if (taken) this.#own(1);
    return taken;
  }

  /** Undoes one `acquire`; the lock is free again when every acquire of its owner is undone. */
  release(): void {
    const words = this.#words;
    const owner = Atomics.load(words, RLockLayout.OWNER);
    if (owner !== self) {
      throw new LockNotOwnedError(
        owner === 0
          ? 'RLock.release: the lock is not held'
          : `RLock.release: thread ${threadId} does not own the lock (thread ${owner - 1} does)`,
      );
    }
    const count = (words[RLockLayout.COUNT] ?? 1) - 1;
    words[RLockLayout.COUNT] = count;
    if (count > 0) return;
    Atomics.store(words, RLockLayout.OWNER, 0);
    unlockWord(words, RLockLayout.STATE);
  }

  locked(): boolean {
    return Atomics.load(this.#words, RLockLayout.STATE) !== 0;
  }

  /** How many times the owner has acquired it (0 when free or owned by another thread). */
  get recursionLevel(): number {
    return Atomics.load(this.#words, RLockLayout.OWNER) === self ? (this.#words[RLockLayout.COUNT] ?? 0) : 0;
  }

  withLock<T>(fn: () => T): T {
    return runLocked(this, fn);
  }

  withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    return runLockedAsync(this, fn);
  }
}

/**
 * Tracing for the two locks is swapped in as wrapper methods when tracing starts in this thread, rather
 * than checked inside every call: three flag checks cost 8% of an uncontended acquire+release (bench
 * `tracer.off.ratio`). The wrappers keep the ordering the analyzer relies on: an acquisition is recorded
 * after it succeeds, a release before it is published; an RLock records only its outermost acquire and
 * release.
 */
type LockMethods<T extends Lock | RLock> = Pick<T, 'acquire' | 'acquireAsync' | 'release'>;

/**
 * The traced twin of a lock class's methods. Only the outermost acquisition and release are events (an
 * RLock taken again by its owner is not a new critical section): `outermost` says whether a call is one.
 */
function tracedMethods<T extends Lock | RLock>(
  plain: LockMethods<T>,
  outermost: { acquire(lock: T): boolean; release(lock: T): boolean },
): LockMethods<T> {
  const traced: LockMethods<T> = {
    acquire(this: T, options?: AcquireOptions): boolean {
      if (!outermost.acquire(this)) return plain.acquire.call(this, options);
      const mode = acquireMode(options);
      emit(EventKind.LockAttempt, this.objectId, mode, 0, traced.acquire);
      const taken = plain.acquire.call(this, options);
      emit(taken ? EventKind.LockAcquired : EventKind.LockTryFailed, this.objectId, mode, 0, traced.acquire);
      return taken;
    },
    async acquireAsync(this: T, options?: AsyncWaitOptions): Promise<boolean> {
      if (!outermost.acquire(this)) return plain.acquireAsync.call(this, options);
      const mode = acquireMode(options);
      emit(EventKind.LockAttempt, this.objectId, mode);
      const taken = await plain.acquireAsync.call(this, options);
      emit(taken ? EventKind.LockAcquired : EventKind.LockTryFailed, this.objectId, mode);
      return taken;
    },
    release(this: T): void {
      if (outermost.release(this)) emit(EventKind.LockRelease, this.objectId, 0, 0, traced.release);
      plain.release.call(this);
    },
  };
  return traced;
}

function installLockTracing(): void {
  const plainLock = { ...methodsOf(Lock.prototype) };
  const plainRLock = { ...methodsOf(RLock.prototype) };
  const traced = {
    Lock: tracedMethods<Lock>(plainLock, { acquire: () => true, release: (lock) => lock.locked() }),
    RLock: tracedMethods<RLock>(plainRLock, {
      acquire: (lock) => lock.recursionLevel === 0,
      release: (lock) => lock.recursionLevel === 1,
    }),
  };
  let swapped = false;
  onTracingChange((on) => {
    // Leave the prototypes untouched until tracing first starts: rewriting them costs their fast shape.
    if (on === swapped) return;
    swapped = on;
    Object.assign(Lock.prototype, on ? traced.Lock : plainLock);
    Object.assign(RLock.prototype, on ? traced.RLock : plainRLock);
  });
}

function acquireMode(options: (AcquireOptions & AsyncWaitOptions) | undefined): number {
  if (options?.blocking === false) return AcquireMode.Try;
  return options?.timeout !== undefined || options?.signal !== undefined ? AcquireMode.Timed : AcquireMode.Blocking;
}

function methodsOf<T extends Lock | RLock>(prototype: T): LockMethods<T> {
  return { acquire: prototype.acquire, acquireAsync: prototype.acquireAsync, release: prototype.release } as LockMethods<T>;
}

installLockTracing();

registerReviver('Lock', (d) => new Lock(d));
registerReviver('RLock', (d) => new RLock(d));
