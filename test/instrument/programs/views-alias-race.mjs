// One worker writes through a view that starts at byte 8, the other through a view of the whole buffer
// at index 2: the same four bytes, unsynchronised.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const workers = ['offset', 'whole'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  if (how === 'offset') new Int32Array(shared, 8)[0] = 1;
  else new Int32Array(shared)[2] = 2;
}
