// TypeScript: races, then throws.
import { isMainThread } from 'node:worker_threads';
import { Thread, track } from 'racecheck/primitives';

export function bump(counter: Int32Array): void {
  counter[0] = counter[0]! + 1;
}

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const threads = [new Thread({ target: bump, args: [counter] }), new Thread({ target: bump, args: [counter] })];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
  throw new Error('the program failed after racing');
}
