// Two workers write the same float64 through DataViews of one shared buffer, unsynchronised.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(32);
  const workers = [1.5, 2.5].map((value) => new Worker(new URL(import.meta.url), { workerData: { shared, value } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, value } = workerData;
  new DataView(shared).setFloat64(16, value, true);
}
