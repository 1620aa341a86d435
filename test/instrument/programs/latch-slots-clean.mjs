// The latch-total program done right: each worker writes its own slot, counts the latch down, and the main
// thread sums the slots after the latch opened.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { awaitLatch, countDown, latch } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const done = latch(3);
  const slots = new Int32Array(new SharedArrayBuffer(12));
  const workers = [0, 1, 2].map((part) => new Worker(new URL(import.meta.url), { workerData: { done, slots, part } }));
  awaitLatch(done);
  console.log('total', slots[0] + slots[1] + slots[2]);
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
} else {
  const { done, slots, part } = workerData;
  slots[part] = (part + 1) * 10;
  countDown(done);
}
