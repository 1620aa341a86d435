// A worker and the main thread write one element unordered; then the main thread blocks for good in an
// untimed Atomics.wait, where no JavaScript signal handler of it can run.
import { Worker } from 'node:worker_threads';

const shared = new Int32Array(new SharedArrayBuffer(8));
new Worker('const { workerData } = require("node:worker_threads"); workerData[0] = 1;', { eval: true, workerData: shared });
shared[0] = 2;
setTimeout(() => {
  console.log('blocked');
  Atomics.wait(shared, 1, 0);
}, 300);
