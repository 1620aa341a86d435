// The main thread fills a buffer, then posts a message; the worker reads only after receiving it, and
// posts its result back: every access is ordered by the two messages.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

if (isMainThread) {
  const data = new Float64Array(new SharedArrayBuffer(8 * 4));
  const worker = new Worker(new URL(import.meta.url));
  for (let i = 0; i < data.length; i++) data[i] = i + 1;
  worker.postMessage({ data });
  worker.once('message', () => {
    console.log('sum', data[0]);
    worker.terminate();
  });
} else {
  parentPort.once('message', ({ data }) => {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i];
    data[0] = sum;
    parentPort.postMessage('done');
  });
}
