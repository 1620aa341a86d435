// Workers record who ran last in one plain word, then bump an atomic done counter; main polls the counter.
// The counter is correct, but the workers' writes of `last` race with each other.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { finished } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const last = new Int32Array(new SharedArrayBuffer(4));
  const workers = [1, 2].map((id) => new Worker(new URL(import.meta.url), { workerData: { counter, last, id } }));
  const exited = workers.map((w) => new Promise((resolve) => w.on('exit', resolve)));
  while (Atomics.load(counter, 0) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log('last was', last[0] > 0);
  await Promise.all(exited);
} else {
  const { counter, last, id } = workerData;
  last[0] = id;
  finished(counter);
}
