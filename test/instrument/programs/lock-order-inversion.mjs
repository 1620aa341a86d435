// Two compareExchange spin locks taken in opposite orders by two workers that run at the same time. The
// second worker starts its inverted sequence a while later, so this run does not deadlock — but it could.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const A = 0;
const B = 1;

function lock(words, at) {
  while (Atomics.compareExchange(words, at, 0, 1) !== 0);
}

function unlock(words, at) {
  Atomics.store(words, at, 0);
}

if (isMainThread) {
  const words = new Int32Array(new SharedArrayBuffer(16));
  const workers = ['ab', 'ba'].map((order) => new Worker(new URL(import.meta.url), { workerData: { words, order } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done', words[2]);
} else {
  const { words, order } = workerData;
  if (order === 'ab') {
    lock(words, A);
    lock(words, B);
    words[2] += 1;
    unlock(words, B);
    unlock(words, A);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  } else {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    lock(words, B);
    lock(words, A);
    words[2] += 1;
    unlock(words, A);
    unlock(words, B);
  }
}
