// The worker writes, then idles; the main thread terminates it and reads after terminate() resolves.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: cells });
  await new Promise((done) => setTimeout(done, 300));
  await worker.terminate();
  console.log('value', cells[0]);
} else {
  workerData[0] = 7;
  const idle = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(idle, 0, 0, 50);
}
