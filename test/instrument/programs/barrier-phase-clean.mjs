// The barrier-phase program done right: the neighbour's cell is read after the barrier.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { arriveAndWait, barrier } from './helpers/sync-helpers.mjs';

if (isMainThread) {
  const sync = barrier(2);
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const seen = new Int32Array(new SharedArrayBuffer(8));
  const workers = [0, 1].map((me) => new Worker(new URL(import.meta.url), { workerData: { sync, cells, seen, me } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log('seen', seen[0], seen[1]);
} else {
  const { sync, cells, seen, me } = workerData;
  cells[me] = me + 1;
  arriveAndWait(sync, 0);
  seen[me] = cells[1 - me];
}
