// Each worker fills its own slice; the main thread reads everything only after every 'exit' event.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const squares = new Float64Array(new SharedArrayBuffer(8 * 8));
  const workers = [0, 1].map((part) => new Worker(new URL(import.meta.url), { workerData: { squares, part } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  let sum = 0;
  for (let i = 0; i < squares.length; i++) sum += squares[i];
  console.log('sum of squares', sum);
} else {
  const { squares, part } = workerData;
  for (let i = part * 4; i < part * 4 + 4; i++) squares[i] = i * i;
}
