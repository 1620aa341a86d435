// One loop reads two views of one buffer, the second starting where the first ends: its reads are one
// run over eight consecutive elements. The other worker writes element 6 (the second view's [2]) with no
// synchronisation: a race on that element, and on no other.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(64);
  const workers = ['read', 'write'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  let sum = 0;
  if (how === 'read') for (const view of [new Int32Array(shared, 0, 4), new Int32Array(shared, 16, 4)]) for (let i = 0; i < 4; i++) sum += view[i];
  else new Int32Array(shared)[6] = sum + 1;
}
