// The same hand-off with a plain flag: nothing orders the data, and the flag itself races.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const flag = new Int32Array(shared, 0, 1);
  const data = new Int32Array(shared, 4, 3);
  const worker = new Worker(new URL(import.meta.url), { workerData: shared });
  while (flag[0] === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  console.log('data seen', data[0] + data[1] + data[2] >= 0);
  await new Promise((done) => worker.on('exit', done));
} else {
  const flag = new Int32Array(workerData, 0, 1);
  const data = new Int32Array(workerData, 4, 3);
  data[0] = 1;
  data[1] = 2;
  data[2] = 3;
  flag[0] = 1;
}
