// A thread takes a racecheck Lock it already holds (through a helper that locks too): it waits for itself.
import { isMainThread } from 'node:worker_threads';
import { Lock, Thread } from 'racecheck/primitives';

function audit(lock) {
  lock.acquire();
  lock.release();
}

export function transfer(lock) {
  lock.acquire();
  audit(lock);
  lock.release();
}

if (isMainThread) {
  const lock = new Lock();
  const thread = new Thread({ target: transfer, args: [lock], name: 'transfer' });
  thread.start();
  await thread.joinAsync();
  console.log('never printed');
}
