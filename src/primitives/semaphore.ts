/**
 * Semaphore and BoundedSemaphore shared across threads (Python's `threading` semantics). The counter is the
 * futex word: acquirers decrement it with compareExchange and sleep while it is 0; a release wakes as many
 * sleepers as it added permits, and only pays for `Atomics.notify` when somebody sleeps.
 */
import { InvalidArgumentError, SemaphoreOverReleaseError } from '../core/errors.js';
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { SemaphoreLayout, Tag } from './layout.js';
import type { AcquireOptions } from './lock.js';
import { openWords } from './open.js';
import {
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  registerReviver,
  type SharedDescriptor,
} from '../core/handles.js';
import { deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

const { VALUE, WAITERS, BOUND } = SemaphoreLayout;

function checkCount(value: unknown, where: string, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw new InvalidArgumentError(`${where}: ${what} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export class Semaphore {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;

  /** A semaphore with `value` permits, or a handle on a shared one. */
  constructor(value: number | SharedDescriptor = 1) {
    const shared = typeof value === 'object' ? value : undefined;
    const permits = shared ? 0 : checkCount(value, `${new.target.name}`, 'the initial value', 0);
    const bounded = new.target === BoundedSemaphore;
    ({ words: this.#words, id: this.#id } = openWords(shared, Tag.Semaphore, SemaphoreLayout.WORDS, new.target.name, bounded ? ObjectType.BoundedSemaphore : ObjectType.Semaphore));
    if (!shared) {
      this.#words[VALUE] = permits;
      this.#words[BOUND] = bounded ? permits : -1;
    }
    exposeDescriptor(this, describe(this.#words[BOUND] === -1 ? 'Semaphore' : 'BoundedSemaphore', this.#words));
  }

  get objectId(): number {
    return this.#id;
  }

  /** Permits available right now. */
  get value(): number {
    return Atomics.load(this.#words, VALUE);
  }

  #tryTake(): boolean {
    const words = this.#words;
    for (;;) {
      const value = Atomics.load(words, VALUE);
      if (value === 0) return false;
      if (Atomics.compareExchange(words, VALUE, value, value - 1) === value) return true;
    }
  }

  acquire(options?: AcquireOptions): boolean {
    const blocking = options?.blocking ?? true;
    if (!blocking && options?.timeout !== undefined) {
      throw new InvalidArgumentError('Semaphore.acquire: a timeout cannot be given with blocking: false');
    }
    const deadline = blocking ? deadlineAfter(options?.timeout, 'Semaphore.acquire') : 0;
    const words = this.#words;
    let taken = this.#tryTake();
    if (!taken && blocking && tracing) emit(EventKind.BlockBegin, this.#id, 0, timedFlag(deadline));
    const blocked = !taken && blocking;
    while (!taken && blocking) {
      Atomics.add(words, WAITERS, 1);
      const slept = sleepSync(words, VALUE, 0, deadline);
      Atomics.sub(words, WAITERS, 1);
      taken = this.#tryTake();
      if (!slept) break;
    }
    if (blocked && tracing) emit(EventKind.BlockEnd, this.#id);
    if (taken && tracing) emit(EventKind.SemaphoreAcquire, this.#id);
    return taken;
  }

  async acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'Semaphore.acquireAsync');
    const words = this.#words;
    let taken = this.#tryTake();
    const blocked = !taken;
    if (blocked && tracing) emit(EventKind.BlockBegin, this.#id, 0, timedFlag(deadline));
    while (!taken) {
      Atomics.add(words, WAITERS, 1);
      let slept: boolean;
      try {
        slept = await sleepAsync(words, VALUE, 0, deadline, options?.signal);
      } finally {
        Atomics.sub(words, WAITERS, 1);
      }
      taken = this.#tryTake();
      if (!slept) break;
    }
    if (blocked && tracing) emit(EventKind.BlockEnd, this.#id);
    if (taken && tracing) emit(EventKind.SemaphoreAcquire, this.#id);
    return taken;
  }

  /** Returns `n` permits, waking up to `n` waiting threads. */
  release(n = 1): void {
    checkCount(n, `${this.constructor.name}.release`, 'n', 1);
    const words = this.#words;
    const bound = words[BOUND] ?? -1;
    if (tracing) emit(EventKind.SemaphoreRelease, this.#id, n);
    if (bound >= 0) {
      for (;;) {
        const value = Atomics.load(words, VALUE);
        if (value + n > bound) {
          throw new SemaphoreOverReleaseError(
            `BoundedSemaphore.release: released too many times (value ${value} + ${n} would exceed ${bound})`,
          );
        }
        if (Atomics.compareExchange(words, VALUE, value, value + n) === value) break;
      }
    } else {
      Atomics.add(words, VALUE, n);
    }
    if (Atomics.load(words, WAITERS) > 0) Atomics.notify(words, VALUE, n);
  }

  withPermit<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  async withPermitAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquireAsync();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** A Semaphore whose `release` throws if it would raise the value above the initial one. */
export class BoundedSemaphore extends Semaphore {}

registerReviver('Semaphore', (d) => new Semaphore(d));
registerReviver('BoundedSemaphore', (d) => new BoundedSemaphore(d));
