// Workers add into one shared total with += in a loop, bumping each its own progress word (Atomics) after
// every step. Atomics run between the racing accesses all the time, on other locations: they order
// nothing, and the += of the two workers race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { progressed } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const meter = new Int32Array(new SharedArrayBuffer(8));
  const total = new Int32Array(new SharedArrayBuffer(4));
  const workers = [0, 1].map((id) => new Worker(new URL(import.meta.url), { workerData: { meter, total, id } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log('steps', Atomics.load(meter, 0) + Atomics.load(meter, 1), 'total positive', total[0] > 0);
} else {
  const { meter, total, id } = workerData;
  for (let step = 0; step < 200; step++) {
    total[0] += 1;
    progressed(meter, id);
  }
}
