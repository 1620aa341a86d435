// A loop reads one element past the end of a four-element view (undefined: no memory is read there),
// while the other worker writes the buffer's element right after the view, unsynchronised. Only real
// accesses count: no race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(32);
  const workers = ['read', 'write'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  if (how === 'read') {
    const head = new Int32Array(shared, 0, 4);
    let defined = 0;
    for (let i = 0; i <= 4; i++) if (head[i] !== undefined) defined++;
    if (defined !== 4) throw new Error(`read ${defined} elements`);
  } else {
    new Int32Array(shared)[4] = 1;
  }
}
