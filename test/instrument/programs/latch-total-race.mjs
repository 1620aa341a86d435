// Workers add into one shared total with += and then count a correct latch down; the main thread waits
// on the latch before reading. The latch orders each worker before main, but nothing orders the workers'
// += against each other: a data race, though Atomics ran between the accesses.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { awaitLatch, countDown, latch } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const done = latch(3);
  const total = new Int32Array(new SharedArrayBuffer(4));
  const workers = [1, 2, 3].map((part) => new Worker(new URL(import.meta.url), { workerData: { done, total, part } }));
  awaitLatch(done);
  console.log('total', total[0] > 0);
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
} else {
  const { done, total, part } = workerData;
  total[0] += part * 10;
  countDown(done);
}
