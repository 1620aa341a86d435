// The reduction with Atomics.add on an integer total: no race, exact result.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const total = new Int32Array(new SharedArrayBuffer(4));
  const workers = [0, 1, 2].map((part) => new Worker(new URL(import.meta.url), { workerData: { total, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('total', Atomics.load(total, 0));
} else {
  const { total, part } = workerData;
  let partial = 0;
  for (let i = 0; i < 100; i++) partial += part * 100 + i;
  Atomics.add(total, 0, partial);
}
