// The same counter under a lock: nothing to report.
import { isMainThread } from 'node:worker_threads';
import { Lock, Thread, track } from 'racecheck/primitives';

export function bump(counter, lock) {
  lock.withLock(() => {
    counter[0] = counter[0] + 1;
  });
}

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const lock = new Lock();
  const threads = [new Thread({ target: bump, args: [counter, lock] }), new Thread({ target: bump, args: [counter, lock] })];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
  console.log(counter[0]);
}
