// A hand-off through a flag racecheck cannot see (plain Atomics on untracked memory). With "annotate" the
// program tells racecheck about it; without, the write and the read look unordered.
import { isMainThread } from 'node:worker_threads';
import { happensAfter, happensBefore, Thread, track } from 'racecheck/primitives';

export function produce(data, flag, annotate) {
  data[0] = 42;
  if (annotate) happensBefore('data ready');
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

if (isMainThread) {
  const annotate = process.argv[2] === 'annotate';
  const data = track(new Int32Array(new SharedArrayBuffer(4)));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Thread({ target: produce, args: [data, flag, annotate], name: 'producer' });
  thread.start();
  Atomics.wait(flag, 0, 0);
  if (annotate) happensAfter('data ready');
  console.log(data[0]);
  await thread.joinAsync();
}
