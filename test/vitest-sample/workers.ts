/** Thread targets for the sample tests. */
import { Barrier, Lock, Thread, track } from 'racecheck/primitives';

export function bumpRacy(counter: Int32Array, times: number): void {
  for (let i = 0; i < times; i++) counter[0] = counter[0]! + 1;
}

export function bumpLocked(counter: Int32Array, lock: Lock, times: number): void {
  for (let i = 0; i < times; i++) lock.withLock(() => void (counter[0] = counter[0]! + 1));
}

export function transfer(first: Lock, second: Lock, both: Barrier): void {
  first.acquire();
  both.wait();
  second.acquire();
  second.release();
  first.release();
}

export async function runRacy(): Promise<number> {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const threads = [1, 2].map(() => new Thread({ target: bumpRacy, args: [counter, 100] }));
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
  return counter[0]!;
}

export async function runLocked(): Promise<number> {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const lock = new Lock();
  const threads = [1, 2].map(() => new Thread({ target: bumpLocked, args: [counter, lock, 100] }));
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
  return counter[0]!;
}

export async function runDeadlock(): Promise<void> {
  const a = new Lock();
  const b = new Lock();
  const both = new Barrier(2);
  const threads = [new Thread({ target: transfer, args: [a, b, both], daemon: true }), new Thread({ target: transfer, args: [b, a, both], daemon: true })];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
}
