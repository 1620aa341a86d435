// A daemon thread that writes a tracked counter for as long as the process lives; main reads and writes
// it unsynchronised, and ends without joining it (as a daemon allows).
import { isMainThread } from 'node:worker_threads';
import { Thread, track } from 'racecheck/primitives';

export function spin(counter) {
  for (;;) counter[0] = counter[0] + 1;
}

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  new Thread({ target: spin, args: [counter], name: 'spinner', daemon: true }).start();
  while (counter[0] < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  counter[0] = 0;
  console.log('main done');
}
