// The race is known and suppressed; a second directive suppresses nothing.
import { isMainThread } from 'node:worker_threads';
import { Thread, track } from 'racecheck/primitives';

export function bump(counter) {
  // racecheck-disable-next-line data-race -- a statistic; losing an update is fine
  counter[0] = counter[0] + 1;
}

/* racecheck-disable lock-order-inversion */
export const nothingHere = 1;
/* racecheck-enable */

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const threads = [new Thread({ target: bump, args: [counter] }), new Thread({ target: bump, args: [counter] })];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
}
