// An array-heavy kernel with no racecheck in it: C = A × Bᵀ on shared Float64Arrays (B stored transposed,
// so both operands are read in order), rows split between worker threads. Every inner-loop access is a
// shared element.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const N = Number(process.env.KERNEL_N ?? 360);
const THREADS = 2;

function multiply({ a, b, c, n, from, to }) {
  for (let i = from; i < to; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k] * b[j * n + k];
      c[i * n + j] = sum;
    }
  }
}

if (isMainThread) {
  const shared = () => new Float64Array(new SharedArrayBuffer(8 * N * N));
  const [a, b, c] = [shared(), shared(), shared()];
  for (let i = 0; i < N * N; i++) {
    a[i] = (i % 7) - 3;
    b[i] = (i % 5) - 2;
  }
  const rows = Math.ceil(N / THREADS);
  const workers = Array.from({ length: THREADS }, (_, t) => new Worker(new URL(import.meta.url), { workerData: { a, b, c, n: N, from: t * rows, to: Math.min(N, (t + 1) * rows) } }));
  await Promise.all(workers.map((worker) => new Promise((done) => worker.on('exit', done))));
  let trace = 0;
  for (let i = 0; i < N; i++) trace += c[i * N + i];
  console.log('trace', trace);
} else {
  multiply(workerData);
}
