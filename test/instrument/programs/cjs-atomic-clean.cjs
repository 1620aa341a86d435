// CommonJS with Atomics.add: no race.
const { Worker, isMainThread, workerData } = require('node:worker_threads');

if (isMainThread) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let left = 2;
  for (let i = 0; i < 2; i++) {
    new Worker(__filename, { workerData: cell }).on('exit', () => {
      if (--left === 0) console.log('count', Atomics.load(cell, 0));
    });
  }
} else {
  for (let i = 0; i < 100; i++) Atomics.add(workerData, 0, 1);
}
