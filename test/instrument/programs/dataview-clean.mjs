// DataViews used without races: two workers encode records into their own halves of a shared buffer
// (one of them unaligned, next to but not overlapping the other's bytes), each also uses a DataView of
// private memory, and the main thread decodes everything after both have exited.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(64);
  const workers = [0, 1].map((half) => new Worker(new URL(import.meta.url), { workerData: { shared, half } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  const view = new DataView(shared);
  const decoded = [];
  for (let offset = 0; offset < 32; offset += 4) decoded.push(view.getInt32(offset, true));
  console.log(decoded.join(' '), view.getInt16(34, true), new Int16Array(shared)[18]);
} else {
  const { shared, half } = workerData;
  const view = new DataView(shared, half * 16, 16);
  for (let offset = 0; offset < 16; offset += 4) view.setInt32(offset, half * 100 + offset, true);
  const scratch = new DataView(new ArrayBuffer(8));
  scratch.setFloat64(0, Math.PI);
  // Bytes 34–35 (unaligned for an Int32, aligned for an Int16) and 36–37: different bytes, no race.
  if (half === 0) new DataView(shared).setInt16(34, scratch.getUint8(0), true);
  else new Int16Array(shared)[18] = 9;
}
