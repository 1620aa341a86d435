// An unaligned DataView write covers bytes 6–9; another worker writes bytes 8–11 as an Int32Array
// element. They share bytes 8 and 9: a race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const workers = ['unaligned', 'aligned'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  if (how === 'unaligned') new DataView(shared).setInt32(6, -1);
  else {
    // A delay on memory nobody else sees (no synchronisation): the write comes second.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    new Int32Array(shared)[2] = 5;
  }
}
