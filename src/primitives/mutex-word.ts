/**
 * The futex mutex every lock-like primitive is built on: Drepper's "Futexes Are Tricky" (2011), mutex #3.
 * The word is 0 (free), 1 (locked) or 2 (locked, maybe with sleepers); only an unlock that finds 2 pays for
 * `Atomics.notify`, so the uncontended path is one compareExchange to lock and one subtraction to unlock.
 */
import { MutexState } from './layout.js';
import { sleepAsync, sleepSync } from './waiting.js';

const { FREE, LOCKED, CONTENDED } = MutexState;

export function tryLockWord(words: Int32Array, index: number): boolean {
  return Atomics.compareExchange(words, index, FREE, LOCKED) === FREE;
}

/** Returns false only when the deadline passed first. */
export function lockWordSync(words: Int32Array, index: number, deadline: number): boolean {
  let state = Atomics.compareExchange(words, index, FREE, LOCKED);
  if (state === FREE) return true;
  if (state !== CONTENDED) state = Atomics.exchange(words, index, CONTENDED);
  while (state !== FREE) {
    if (!sleepSync(words, index, CONTENDED, deadline)) return false;
    state = Atomics.exchange(words, index, CONTENDED);
  }
  return true;
}

export async function lockWordAsync(
  words: Int32Array,
  index: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<boolean> {
  let state = Atomics.compareExchange(words, index, FREE, LOCKED);
  if (state === FREE) return true;
  if (state !== CONTENDED) state = Atomics.exchange(words, index, CONTENDED);
  while (state !== FREE) {
    if (!(await sleepAsync(words, index, CONTENDED, deadline, signal))) return false;
    state = Atomics.exchange(words, index, CONTENDED);
  }
  return true;
}

export function unlockWord(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== LOCKED) {
    Atomics.store(words, index, FREE);
    Atomics.notify(words, index, 1);
  }
}
