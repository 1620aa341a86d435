// The same counter incremented with Atomics.add: no race, and the count is exact.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = [0, 1, 2].map(() => new Worker(new URL(import.meta.url), { workerData: counter }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('count', counter[0]);
} else {
  for (let i = 0; i < 500; i++) Atomics.add(workerData, 0, 1);
}
