// CommonJS: two workers add to one cell with plain writes.
const { Worker, isMainThread, workerData } = require('node:worker_threads');

if (isMainThread) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let left = 2;
  for (let i = 0; i < 2; i++) {
    new Worker(__filename, { workerData: cell }).on('exit', () => {
      if (--left === 0) console.log('finished');
    });
  }
} else {
  for (let i = 0; i < 100; i++) workerData[0] += 1;
}
