// DataRaceBench indirectaccess: x[index[i]] += 1 where the index arrays of the two workers overlap
// (element 5 appears in both halves).
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const x = new Float64Array(new SharedArrayBuffer(8 * 16));
  const index = new Int32Array(new SharedArrayBuffer(4 * 8));
  index.set([0, 2, 4, 5, 5, 7, 9, 11]);
  const workers = [0, 1].map((part) => new Worker(new URL(import.meta.url), { workerData: { x, index, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { x, index, part } = workerData;
  for (let i = part * 4; i < part * 4 + 4; i++) x[index[i]] += 1;
}
