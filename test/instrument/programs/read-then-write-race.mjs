// Two workers each read a shared cell and write it back in separate statements, with no synchronisation
// between: the write comes after a read of the same element in the same epoch and must still be seen.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map(() => new Worker(new URL(import.meta.url), { workerData: cells }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const cells = workerData;
  const seen = cells[0];
  cells[0] = seen + 1;
  cells[1] = cells[1];
}
