/**
 * Barrier: `parties` threads wait until all have arrived, then all go on (Python's `threading.Barrier`).
 * A phase is a generation number; the last arrival runs the action, advances the generation and wakes the
 * others, who sleep on the generation word. A phase that ends broken (abort, reset while threads wait, a
 * timeout, a throwing action) sets its bit in OUTCOMES so that its waiters raise BrokenBarrierError, and
 * the barrier stays broken until `reset()`.
 *
 * Functions do not cross threads: the action belongs to the handle it was given to, and runs when the
 * last thread to arrive holds such a handle (give each thread's handle the action with `withAction`).
 */
import { BrokenBarrierError, InvalidArgumentError } from '../core/errors.js';
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { BARRIER_OUTCOME_BITS, BarrierLayout, Tag } from './layout.js';
import { lockWordAsync, lockWordSync, unlockWord } from './mutex-word.js';
import { openWords } from './open.js';
import {
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  registerReviver,
  type SharedDescriptor,
} from '../core/handles.js';
import { checkTimeout, deadlineAfter, sleepAsync, sleepSync } from './waiting.js';

const { MUTEX, PARTIES, COUNT, GENERATION, BROKEN, OUTCOMES } = BarrierLayout;

export interface BarrierOptions {
  /** Run by one thread (the last to arrive) before the others are released. */
  action?: () => void;
  /** Default timeout in ms for `wait()`. */
  timeout?: number;
}

export class Barrier {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;
  readonly #action: (() => void) | undefined;
  readonly #timeout: number | undefined;

  constructor(parties: number | SharedDescriptor, options: BarrierOptions = {}) {
    const shared = typeof parties === 'object' ? parties : undefined;
    if (!shared && (!Number.isInteger(parties) || (parties as number) < 1)) {
      throw new InvalidArgumentError(`Barrier: parties must be an integer >= 1, got ${String(parties)}`);
    }
    ({ words: this.#words, id: this.#id } = openWords(shared, Tag.Barrier, BarrierLayout.WORDS, 'Barrier', ObjectType.Barrier));
    if (!shared) this.#words[PARTIES] = parties as number;
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw new InvalidArgumentError('Barrier: action must be a function');
    }
    if (options.timeout !== undefined) checkTimeout(options.timeout, 'Barrier');
    this.#action = options.action;
    this.#timeout = options.timeout;
    const timeout = options.timeout;
    exposeDescriptor(this, describe('Barrier', this.#words, timeout === undefined ? {} : { timeout }));
  }

  /** Another handle on the same barrier whose `wait` runs `action` when this thread arrives last. */
  withAction(action: () => void): Barrier {
    return new Barrier(this[HANDLE_KEY], { action, timeout: this.#timeout });
  }

  get objectId(): number {
    return this.#id;
  }

  get parties(): number {
    return this.#words[PARTIES] ?? 0;
  }

  /** Threads waiting in the current phase. */
  get nWaiting(): number {
    return Atomics.load(this.#words, COUNT);
  }

  get broken(): boolean {
    return Atomics.load(this.#words, BROKEN) === 1;
  }

  /**
   * Waits until all parties have arrived. Returns this thread's arrival index, 0 to parties − 1.
   * Throws BrokenBarrierError when the barrier is or becomes broken, including by this wait timing out.
   */
  wait(timeout?: number): number {
    const deadline = deadlineAfter(timeout ?? this.#timeout, 'Barrier.wait');
    lockWordSync(this.#words, MUTEX, Infinity);
    const arrival = this.#arrive(deadline);
    if (arrival.released) return arrival.index;
    const { index, generation } = arrival;
    while (Atomics.load(this.#words, GENERATION) === generation) {
      if (!sleepSync(this.#words, GENERATION, generation, deadline)) {
        lockWordSync(this.#words, MUTEX, Infinity);
        this.#timedOut(generation);
        break;
      }
    }
    return this.#leave(index, generation);
  }

  async waitAsync(timeout?: number): Promise<number> {
    const deadline = deadlineAfter(timeout ?? this.#timeout, 'Barrier.waitAsync');
    await lockWordAsync(this.#words, MUTEX, Infinity);
    const arrival = this.#arrive(deadline);
    if (arrival.released) return arrival.index;
    const { index, generation } = arrival;
    while (Atomics.load(this.#words, GENERATION) === generation) {
      if (!(await sleepAsync(this.#words, GENERATION, generation, deadline))) {
        await lockWordAsync(this.#words, MUTEX, Infinity);
        this.#timedOut(generation);
        break;
      }
    }
    return this.#leave(index, generation);
  }

  /** With MUTEX held: counts this thread in; the last arrival releases the phase. Unlocks MUTEX. */
  #arrive(deadline: number): { index: number; generation: number; released: boolean } {
    const words = this.#words;
    if (words[BROKEN] === 1) {
      unlockWord(words, MUTEX);
      throw new BrokenBarrierError('Barrier.wait: the barrier is broken');
    }
    const generation = words[GENERATION] ?? 0;
    const index = words[COUNT] ?? 0;
    Atomics.store(words, COUNT, index + 1);
    if (tracing) emit(EventKind.BarrierArrive, this.#id, generation, timedFlag(deadline));
    if (index + 1 < (words[PARTIES] ?? 0)) {
      unlockWord(words, MUTEX);
      return { index, generation, released: false };
    }
    try {
      this.#action?.();
    } catch (error) {
      this.#endPhase(generation, true);
      unlockWord(words, MUTEX);
      throw new BrokenBarrierError('Barrier.wait: the barrier action threw', { cause: error });
    }
    this.#endPhase(generation, false);
    unlockWord(words, MUTEX);
    if (tracing) emit(EventKind.BarrierLeave, this.#id, generation);
    return { index, generation, released: true };
  }

  /** With MUTEX held, after this waiter's deadline passed: breaks the phase unless it was released. */
  #timedOut(generation: number): void {
    if (Atomics.load(this.#words, GENERATION) === generation) this.#endPhase(generation, true);
    unlockWord(this.#words, MUTEX);
  }

  #leave(index: number, generation: number): number {
    const bit = 1 << (generation % BARRIER_OUTCOME_BITS);
    if ((Atomics.load(this.#words, OUTCOMES) & bit) !== 0) {
      throw new BrokenBarrierError('Barrier.wait: the barrier was broken while waiting');
    }
    if (tracing) emit(EventKind.BarrierLeave, this.#id, generation);
    return index;
  }

  /** With MUTEX held: ends `generation`, released or broken, and wakes its waiters. */
  #endPhase(generation: number, broken: boolean): void {
    const words = this.#words;
    const bit = 1 << (generation % BARRIER_OUTCOME_BITS);
    if (broken) {
      Atomics.or(words, OUTCOMES, bit);
      Atomics.store(words, BROKEN, 1);
    } else {
      Atomics.and(words, OUTCOMES, ~bit);
    }
    Atomics.store(words, COUNT, 0);
    Atomics.store(words, GENERATION, (generation + 1) | 0);
    Atomics.notify(words, GENERATION);
  }

  /** Breaks the barrier: current and future waiters get BrokenBarrierError until `reset()`. */
  abort(): void {
    const words = this.#words;
    lockWordSync(words, MUTEX, Infinity);
    if (Atomics.load(words, COUNT) > 0) this.#endPhase(words[GENERATION] ?? 0, true);
    Atomics.store(words, BROKEN, 1);
    unlockWord(words, MUTEX);
  }

  /** Back to the initial state; threads waiting now get BrokenBarrierError. */
  reset(): void {
    const words = this.#words;
    lockWordSync(words, MUTEX, Infinity);
    if (Atomics.load(words, COUNT) > 0) this.#endPhase(words[GENERATION] ?? 0, true);
    Atomics.store(words, BROKEN, 0);
    unlockWord(words, MUTEX);
  }
}

registerReviver('Barrier', (d) => new Barrier(d, typeof d['timeout'] === 'number' ? { timeout: d['timeout'] } : {}));
