// The worker starts reading the buffer before the message that says it is ready: a race, whichever
// thread happens to be faster in this run.
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';

if (isMainThread) {
  const data = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  data[1] = 42;
  worker.postMessage('ready');
  worker.on('message', (seen) => console.log('worker saw a value', typeof seen));
} else {
  const data = workerData;
  const early = data[1];
  parentPort.once('message', () => {
    parentPort.postMessage(early);
    parentPort.close();
  });
}
