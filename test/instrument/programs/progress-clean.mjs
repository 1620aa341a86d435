// The progress program done right: each worker adds into its own slot; main sums the slots after the
// workers exited (their exit orders everything they did before main's reads).
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { progressed } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const meter = new Int32Array(new SharedArrayBuffer(8));
  const totals = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map((id) => new Worker(new URL(import.meta.url), { workerData: { meter, totals, id } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log('steps', Atomics.load(meter, 0) + Atomics.load(meter, 1), 'total', totals[0] + totals[1]);
} else {
  const { meter, totals, id } = workerData;
  for (let step = 0; step < 200; step++) {
    totals[id] += 1;
    progressed(meter, id);
  }
}
