// Publication through an Atomics flag: data written, then Atomics.store(flag, 1); the reader spins on
// Atomics.load until it sees 1, then reads the data. Release/acquire on the flag orders the two.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const worker = new Worker(new URL(import.meta.url), { workerData: shared });
  const flag = new Int32Array(shared, 0, 1);
  const data = new Int32Array(shared, 4, 3);
  while (Atomics.load(flag, 0) === 0);
  console.log('data', data[0] + data[1] + data[2]);
  await new Promise((done) => worker.on('exit', done));
} else {
  const flag = new Int32Array(workerData, 0, 1);
  const data = new Int32Array(workerData, 4, 3);
  data[0] = 1;
  data[1] = 2;
  data[2] = 3;
  Atomics.store(flag, 0, 1);
}
