// The worker writes the slot as soon as it starts, then idles; the main thread writes the slot a long
// while later. They never collide in this run, but nothing orders them: a race all the same.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const slot = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: slot });
  await new Promise((done) => setTimeout(done, 400));
  slot[0] = 2;
  await new Promise((done) => worker.on('exit', done));
  console.log('done');
} else {
  workerData[0] = 1;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
}
