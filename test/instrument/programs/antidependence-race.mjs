// DataRaceBench antidep1: a[i] = a[i + 1] + 1 split between two workers. The first worker's last
// iteration reads a[mid], which the second worker writes.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const N = 64;
if (isMainThread) {
  const a = new Int32Array(new SharedArrayBuffer(4 * (N + 1)));
  for (let i = 0; i <= N; i++) a[i] = i;
  const workers = [0, 1].map((part) => new Worker(new URL(import.meta.url), { workerData: { a, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { a, part } = workerData;
  const from = (part * N) / 2;
  for (let i = from; i < from + N / 2; i++) a[i] = a[i + 1] + 1;
}
