// Two threads write one tracked counter, one after the other. With "join" the main thread joins the first
// before starting the second; without, nothing orders them, though in this run they never overlap.
import { isMainThread } from 'node:worker_threads';
import { Thread, track } from 'racecheck/primitives';

export function bump(counter) {
  counter[0] = counter[0] + 1;
}

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const first = new Thread({ target: bump, args: [counter], name: 'first' });
  first.start();
  if (process.argv[2] === 'join') await first.joinAsync();
  else while (first.isAlive()) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = new Thread({ target: bump, args: [counter], name: 'second' });
  second.start();
  await second.joinAsync();
  if (process.argv[2] !== 'join') await first.joinAsync();
  console.log(counter[0]);
}
