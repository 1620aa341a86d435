// `await once(worker, 'exit')` orders the worker's writes before the main thread's reads.
import { once } from 'node:events';
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const cells = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(new URL(import.meta.url), { workerData: cells });
  await once(worker, 'exit');
  cells[0] += 1;
  console.log('cells', Array.from(cells).join(','));
} else {
  for (let i = 0; i < workerData.length; i++) workerData[i] = i + 10;
}
