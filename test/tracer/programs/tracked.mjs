// Two threads increment one tracked element through views with different offsets.
import { isMainThread } from 'node:worker_threads';
import { Lock, Thread, track } from 'racecheck/primitives';

export function bump(view, lock, times) {
  for (let i = 0; i < times; i++) lock.withLock(() => {
    view[1] = view[1] + 1;
  });
}

if (isMainThread) {
  const buffer = new SharedArrayBuffer(32);
  const whole = track(new Int32Array(buffer));
  const lock = new Lock();
  const thread = new Thread({ target: bump, args: [track(new Int32Array(buffer, 8, 4)), lock, 500] });
  thread.start();
  for (let i = 0; i < 500; i++) lock.withLock(() => { whole[3] = whole[3] + 1; });
  await thread.joinAsync();
  whole[3] = whole[3] + 1;
  console.log(whole[3]);
}
