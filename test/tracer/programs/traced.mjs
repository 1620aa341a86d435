// A small threaded program for the session tests; how it ends is chosen by argv[2].
import { isMainThread } from 'node:worker_threads';
import { Lock, Queue, Thread } from 'racecheck/primitives';

export function work(lock, queue, rounds) {
  for (let i = 0; i < rounds; i++) {
    lock.acquire();
    lock.release();
  }
  queue.put('done');
}

if (isMainThread) {
  const lock = new Lock();
  const queue = new Queue();
  const thread = new Thread({ target: work, args: [lock, queue, 1000], name: 'worker' });
  thread.start();
  queue.get();
  await thread.joinAsync();
  const ending = process.argv[2];
  if (ending === 'throw') throw new Error('the program failed');
  if (ending === 'exit') process.exit(3);
  if (ending === 'wait') {
    process.stdout.write('ready\n');
    setInterval(() => {}, 1000);
  }
}
