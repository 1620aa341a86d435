// Two futex-style mutexes taken in opposite orders, with a handshake that makes both workers hold their
// first mutex before either asks for its second: a real deadlock in Atomics.wait.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

function lock(words, at) {
  let c = Atomics.compareExchange(words, at, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, at, 2);
  while (c !== 0) {
    Atomics.wait(words, at, 2);
    c = Atomics.exchange(words, at, 2);
  }
}

if (isMainThread) {
  const words = new Int32Array(new SharedArrayBuffer(16));
  const workers = [[0, 1], [1, 0]].map((order) => new Worker(new URL(import.meta.url), { workerData: { words, order } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('never printed');
} else {
  const { words, order } = workerData;
  const [first, second] = order;
  lock(words, first);
  Atomics.add(words, 2, 1);
  while (Atomics.load(words, 2) < 2);
  lock(words, second);
}
