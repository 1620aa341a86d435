// The race-free twin: results go to a separate output array, the input is only read.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const N = 64;
if (isMainThread) {
  const a = new Int32Array(new SharedArrayBuffer(4 * (N + 1)));
  const b = new Int32Array(new SharedArrayBuffer(4 * N));
  for (let i = 0; i <= N; i++) a[i] = i;
  const workers = [0, 1].map((part) => new Worker(new URL(import.meta.url), { workerData: { a, b, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  let sum = 0;
  for (let i = 0; i < N; i++) sum += b[i];
  console.log('sum', sum);
} else {
  const { a, b, part } = workerData;
  const from = (part * N) / 2;
  for (let i = from; i < from + N / 2; i++) b[i] = a[i + 1] + 1;
}
