// A two-phase stencil: phase 1 writes own cells, phase 2 reads the neighbours' cells. With --barrier a
// hand-written Atomics barrier (count + generation, wait/notify) separates the phases; without it, the
// reads of phase 2 race with the neighbours' phase-1 writes (DataRaceBench's missing barrier).
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const WORKERS = 3;
const CELLS = 4;

function barrier(words) {
  const generation = Atomics.load(words, 1);
  if (Atomics.add(words, 0, 1) === WORKERS - 1) {
    Atomics.store(words, 0, 0);
    Atomics.add(words, 1, 1);
    Atomics.notify(words, 1);
  } else {
    while (Atomics.load(words, 1) === generation) Atomics.wait(words, 1, generation);
  }
}

if (isMainThread) {
  const withBarrier = process.argv.includes('--barrier');
  const cells = new Float64Array(new SharedArrayBuffer(8 * WORKERS * CELLS));
  const out = new Float64Array(new SharedArrayBuffer(8 * WORKERS * CELLS));
  const words = new Int32Array(new SharedArrayBuffer(8));
  const workers = Array.from({ length: WORKERS }, (_, part) => new Worker(new URL(import.meta.url), { workerData: { cells, out, words, part, withBarrier } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i];
  console.log('sum', sum);
} else {
  const { cells, out, words, part, withBarrier } = workerData;
  const from = part * CELLS;
  for (let i = from; i < from + CELLS; i++) cells[i] = i;
  if (withBarrier) barrier(words);
  const n = cells.length;
  for (let i = from; i < from + CELLS; i++) out[i] = cells[(i + n - 1) % n] + cells[(i + 1) % n];
}
