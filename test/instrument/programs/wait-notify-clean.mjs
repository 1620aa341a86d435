// The worker computes, stores a ready word and notifies; the main thread sleeps in Atomics.wait until
// woken, then reads the result.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const ready = new Int32Array(shared, 0, 1);
  const result = new Float64Array(shared, 8, 1);
  const worker = new Worker(new URL(import.meta.url), { workerData: shared });
  while (Atomics.load(ready, 0) === 0) Atomics.wait(ready, 0, 0);
  console.log('result', result[0]);
  await new Promise((done) => worker.on('exit', done));
} else {
  const ready = new Int32Array(workerData, 0, 1);
  const result = new Float64Array(workerData, 8, 1);
  result[0] = 6 * 7;
  Atomics.store(ready, 0, 1);
  Atomics.notify(ready, 0);
}
