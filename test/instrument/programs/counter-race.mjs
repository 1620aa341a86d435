// Two workers increment one shared counter with a plain read-modify-write: a lost-update race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = [0, 1].map(() => new Worker(new URL(import.meta.url), { workerData: counter }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('counted', counter[0] > 0);
} else {
  for (let i = 0; i < 500; i++) workerData[0]++;
}
