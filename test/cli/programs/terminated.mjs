// A worker that would write forever, terminated by main once it has begun: it ended, and is not "still running".
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: { cells } });
  while (Atomics.load(cells, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await worker.terminate();
  console.log('terminated');
} else {
  const { cells } = workerData;
  Atomics.store(cells, 1, 1);
  for (;;) cells[0] = cells[0] + 1;
}
