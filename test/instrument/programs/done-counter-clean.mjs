// The done-counter program done right: each worker writes its own word before bumping the counter, and
// main reads them once the counter says both finished (its load acquires what their adds released).
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { finished } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const marks = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map((id) => new Worker(new URL(import.meta.url), { workerData: { counter, marks, id } }));
  const exited = workers.map((w) => new Promise((resolve) => w.on('exit', resolve)));
  while (Atomics.load(counter, 0) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log('marks', marks[0], marks[1]);
  await Promise.all(exited);
} else {
  const { counter, marks, id } = workerData;
  marks[id] = id + 1;
  finished(counter);
}
