// The twin with a permutation: every element is updated by exactly one worker.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const x = new Float64Array(new SharedArrayBuffer(8 * 16));
  const index = new Int32Array(new SharedArrayBuffer(4 * 8));
  index.set([0, 2, 4, 6, 8, 10, 12, 14]);
  const workers = [0, 1].map((part) => new Worker(new URL(import.meta.url), { workerData: { x, index, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  console.log('sum', sum);
} else {
  const { x, index, part } = workerData;
  for (let i = part * 4; i < part * 4 + 4; i++) x[index[i]] += 1;
}
