// A DataView that starts at byte 4 reads bytes 8–11 (its offset 4) while another worker writes the same
// bytes as element 2 of an Int32Array: one location, unsynchronised.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const workers = ['read', 'write'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  if (how === 'read') console.log(typeof new DataView(shared, 4).getInt32(4, true));
  else {
    // A delay on memory nobody else sees (no synchronisation): the write comes second.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    new Int32Array(shared)[2] = 7;
  }
}
