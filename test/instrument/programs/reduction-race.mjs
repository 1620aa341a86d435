// A reduction without atomics: every worker adds its partial sum into the shared total with +=.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const total = new Float64Array(new SharedArrayBuffer(8));
  const workers = [0, 1, 2].map((part) => new Worker(new URL(import.meta.url), { workerData: { total, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('total is positive', total[0] > 0);
} else {
  const { total, part } = workerData;
  let partial = 0;
  for (let i = 0; i < 100; i++) partial += part * 100 + i;
  total[0] += partial;
}
