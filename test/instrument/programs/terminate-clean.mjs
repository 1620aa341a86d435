// The worker raises a flag, writes, then idles; the main thread waits for the flag, terminates the worker
// and reads after terminate() resolves. Only the termination orders the write before the read.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: cells });
  while (Atomics.load(cells, 1) === 0) await new Promise((done) => setTimeout(done, 10));
  await new Promise((done) => setTimeout(done, 50));
  await worker.terminate();
  console.log('value', cells[0]);
} else {
  Atomics.store(workerData, 1, 1);
  workerData[0] = 7;
  const idle = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(idle, 0, 0, 50);
}
