/**
 * Condition variable over a Lock or RLock, shared across threads, with Python's semantics: `wait` must be
 * called with the lock held, releases it while sleeping and holds it again on return; `notify(n)` wakes at
 * most n of the threads waiting at that moment, oldest first.
 *
 * Waiters take tickets (WAIT_SEQ); `notify` advances WAKE_SEQ past the n oldest live tickets and every
 * waiter sleeps on WAKE_SEQ until it passes its ticket. A timed-out waiter marks its ticket cancelled
 * (under the lock) so that a later notify skips it instead of wasting a wake-up on it.
 */
import { InvalidArgumentError, LockNotOwnedError } from '../core/errors.js';
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { CONDITION_MAX_WAITERS, ConditionLayout, Tag } from './layout.js';
import { conditionHooks, Lock, RLock, type Lockable, type AcquireOptions } from './lock.js';
import {
  allocate,
  attach,
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  objectIdOf,
  registerReviver,
  revive,
  type SharedDescriptor,
} from '../core/handles.js';
import { deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

const { WAIT_SEQ, WAKE_SEQ, CANCELLED } = ConditionLayout;

/** True when ticket `a` comes before `b`, counting with wrap-around. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export class Condition {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;
  readonly #lock: Lockable;

  /** A condition over `lock` (a new RLock when omitted), or a handle on a shared condition. */
  constructor(lock?: Lock | RLock | SharedDescriptor) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      const shared = lock;
      this.#words = attach(shared, Tag.Condition, ConditionLayout.WORDS, 'Condition');
      this.#lock = revive({ [HANDLE_KEY]: shared['lock'] }) as Lockable;
    } else {
      this.#words = allocate(Tag.Condition, ConditionLayout.WORDS);
      this.#lock = lock ?? new RLock();
    }
    this.#id = objectIdOf(this.#words);
    if (!(lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) && tracing) {
      emit(EventKind.ObjectCreate, this.#id, ObjectType.Condition);
    }
    exposeDescriptor(this, describe('Condition', this.#words, { lock: this.#lock[HANDLE_KEY] }));
  }

  get objectId(): number {
    return this.#id;
  }

  /** The lock this condition waits on. */
  get lock(): Lock | RLock {
    return this.#lock as Lock | RLock;
  }

  acquire(options?: AcquireOptions): boolean {
    return this.#lock.acquire(options);
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    return this.#lock.acquireAsync(options);
  }

  release(): void {
    this.#lock.release();
  }

  withLock<T>(fn: () => T): T {
    return this.#lock.withLock(fn);
  }

  withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.#lock.withLockAsync(fn);
  }

  #checkOwned(where: string): void {
    if (!this.#lock[conditionHooks].isOwned()) {
      throw new LockNotOwnedError(`${where}: the condition's lock must be held by the calling thread`);
    }
  }

  #takeTicket(where: string, deadline: number): number {
    this.#checkOwned(where);
    const words = this.#words;
    if (Atomics.load(words, WAIT_SEQ) - Atomics.load(words, WAKE_SEQ) >= CONDITION_MAX_WAITERS) {
      throw new InvalidArgumentError(`${where}: more than ${CONDITION_MAX_WAITERS} threads waiting at once`);
    }
    if (tracing) emit(EventKind.ConditionWaitBegin, this.#id, 0, timedFlag(deadline));
    return Atomics.add(words, WAIT_SEQ, 1);
  }

  #notified(ticket: number): boolean {
    return before(ticket, Atomics.load(this.#words, WAKE_SEQ));
  }

  /** Called with the lock held again: settles whether the waiter was notified, or withdraws its ticket. */
  #finishWait(ticket: number): boolean {
    let notified = this.#notified(ticket);
    if (!notified) this.#cancel(ticket);
    if (tracing) emit(EventKind.ConditionWaitEnd, this.#id, notified ? 1 : 0);
    return notified;
  }

  #cancel(ticket: number): void {
    const words = this.#words;
    const bit = ticket & (CONDITION_MAX_WAITERS - 1);
    Atomics.or(words, CANCELLED + (bit >>> 5), 1 << (bit & 31));
    // Trim cancelled tickets from both ends so that timed waits without notifies never pile up.
    let wake = Atomics.load(words, WAKE_SEQ);
    let end = Atomics.load(words, WAIT_SEQ);
    while (wake !== end && this.#takeCancelled(wake)) wake = (wake + 1) | 0;
    while (wake !== end && this.#takeCancelled((end - 1) | 0)) end = (end - 1) | 0;
    Atomics.store(words, WAKE_SEQ, wake);
    Atomics.store(words, WAIT_SEQ, end);
  }

  /** Clears and reports the cancelled bit of `ticket`. */
  #takeCancelled(ticket: number): boolean {
    const bit = ticket & (CONDITION_MAX_WAITERS - 1);
    const index = CANCELLED + (bit >>> 5);
    const mask = 1 << (bit & 31);
    if ((Atomics.load(this.#words, index) & mask) === 0) return false;
    Atomics.and(this.#words, index, ~mask);
    return true;
  }

  /**
   * Releases the lock, sleeps until notified or `timeout` ms pass, takes the lock again. Returns false
   * when it timed out.
   */
  wait(timeout?: number): boolean {
    const deadline = deadlineAfter(timeout, 'Condition.wait');
    const ticket = this.#takeTicket('Condition.wait', deadline);
    const hooks = this.#lock[conditionHooks];
    const saved = hooks.releaseSave();
    for (;;) {
      const wake = Atomics.load(this.#words, WAKE_SEQ);
      if (before(ticket, wake) || !sleepSync(this.#words, WAKE_SEQ, wake, deadline)) break;
    }
    hooks.acquireRestore(saved);
    return this.#finishWait(ticket);
  }

  async waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'Condition.waitAsync');
    const ticket = this.#takeTicket('Condition.waitAsync', deadline);
    const hooks = this.#lock[conditionHooks];
    const saved = hooks.releaseSave();
    let aborted: unknown;
    let isAborted = false;
    try {
      for (;;) {
        const wake = Atomics.load(this.#words, WAKE_SEQ);
        if (before(ticket, wake) || !(await sleepAsync(this.#words, WAKE_SEQ, wake, deadline, options?.signal))) break;
      }
    } catch (reason) {
      isAborted = true;
      aborted = reason;
    }
    await hooks.acquireRestoreAsync(saved);
    const notified = this.#finishWait(ticket);
    if (isAborted && !notified) throw aborted;
    return notified;
  }

  /** Waits until `predicate()` is truthy (checked with the lock held); returns its last value. */
  waitFor<T>(predicate: () => T, timeout?: number): T {
    const deadline = deadlineAfter(timeout, 'Condition.waitFor');
    let result = predicate();
    while (!result) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      this.wait(remaining === Infinity ? undefined : remaining);
      result = predicate();
    }
    return result;
  }

  async waitForAsync<T>(predicate: () => T, options?: AsyncWaitOptions): Promise<T> {
    const deadline = deadlineAfter(options?.timeout, 'Condition.waitForAsync');
    let result = predicate();
    while (!result) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await this.waitAsync({ timeout: remaining === Infinity ? undefined : remaining, signal: options?.signal });
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` of the threads waiting now, oldest first. The lock must be held. */
  notify(n = 1): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`Condition.notify: n must be a non-negative integer, got ${String(n)}`);
    }
    this.#checkOwned('Condition.notify');
    const words = this.#words;
    const end = Atomics.load(words, WAIT_SEQ);
    const first = Atomics.load(words, WAKE_SEQ);
    let wake = first;
    let woken = 0;
    while (woken < n && wake !== end) {
      if (!this.#takeCancelled(wake)) woken++;
      wake = (wake + 1) | 0;
    }
    if (tracing) emit(EventKind.ConditionNotify, this.#id, woken);
    if (wake === first) return;
    Atomics.store(words, WAKE_SEQ, wake);
    if (woken > 0) Atomics.notify(words, WAKE_SEQ);
  }

  notifyAll(): void {
    this.notify(CONDITION_MAX_WAITERS);
  }
}

registerReviver('Condition', (d) => new Condition(d));
