// A compareExchange spin lock protects a plain counter: no race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const LOCK = 0;
const COUNT = 1;

function lock(words) {
  while (Atomics.compareExchange(words, LOCK, 0, 1) !== 0);
}

function unlock(words) {
  Atomics.store(words, LOCK, 0);
}

if (isMainThread) {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const workers = [1, 2, 3].map(() => new Worker(new URL(import.meta.url), { workerData: words }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('count', words[COUNT]);
} else {
  const words = workerData;
  for (let i = 0; i < 200; i++) {
    lock(words);
    words[COUNT] = words[COUNT] + 1;
    unlock(words);
  }
}
