// Two workers write through views of different halves of one buffer: they never touch the same bytes.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(32);
  const workers = [0, 16].map((offset) => new Worker(new URL(import.meta.url), { workerData: { shared, offset } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('halves', Array.from(new Int32Array(shared)).join(','));
} else {
  const half = new Int32Array(workerData.shared, workerData.offset, 4);
  for (let i = 0; i < half.length; i++) half[i] = workerData.offset + i;
}
