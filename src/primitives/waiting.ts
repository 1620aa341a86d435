/**
 * Timeouts and sleeping on a shared word, blocking (`Atomics.wait`) or async (`Atomics.waitAsync`).
 * Every primitive waits through these two functions, so none of them spins a core: a waiter sleeps until
 * the word changes, is notified, or its deadline passes, and then re-checks its own condition.
 */
import { InvalidArgumentError } from '../core/errors.js';

/** Milliseconds, like `setTimeout` and `Atomics.wait`; `undefined` or `Infinity` waits without limit. */
export type Timeout = number | undefined;

export interface WaitOptions {
  /** Milliseconds to wait at most. */
  timeout?: number;
}

export interface AsyncWaitOptions extends WaitOptions {
  /** Abandons the wait: the promise rejects with the signal's reason and nothing is acquired. */
  signal?: AbortSignal;
}

export function checkTimeout(timeout: unknown, where: string): number {
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new InvalidArgumentError(
      `${where}: timeout must be a non-negative number of milliseconds or undefined, got ${String(timeout)}`,
    );
  }
  return timeout;
}

/** The moment a wait of `timeout` ms starting now must give up, on the `performance.now()` clock. */
export function deadlineAfter(timeout: unknown, where: string): number {
  const ms = checkTimeout(timeout, where);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/**
 * Sleeps while `words[index] === expected`, until notified or the deadline. Returns false when the
 * deadline has already passed (the caller gives up), true otherwise (the caller re-checks its condition).
 */
export function sleepSync(words: Int32Array, index: number, expected: number, deadline: number): boolean {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return false;
  Atomics.wait(words, index, expected, remaining);
  return true;
}

/**
 * The async twin of `sleepSync`. Every wait holds a timer so that Node keeps the thread alive for it: a
 * pending `Atomics.waitAsync` alone does not, and a worker whose only work is `await queue.getAsync()`
 * would otherwise end in the middle of it. An aborted wait rejects at once; if its abandoned waiter
 * is later woken, the wake-up is passed on, so abandoning never swallows a `notify(…, 1)` meant for
 * somebody else.
 */
export function sleepAsync(
  words: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return Promise.resolve(false);
  signal?.throwIfAborted();
  const finite = remaining !== Infinity;
  const result = Atomics.waitAsync(words, index, expected, finite ? remaining : undefined);
  if (!result.async) return Promise.resolve(true);
  return new Promise<boolean>((resolve, reject) => {
    const keepAlive = setTimeout(() => undefined, finite ? remaining + 1 : 2 ** 31 - 1);
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(keepAlive);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    void result.value.then((outcome) => {
      if (settled) {
        if (outcome === 'ok') Atomics.notify(words, index, 1);
        return;
      }
      settled = true;
      clearTimeout(keepAlive);
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
