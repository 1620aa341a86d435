// TypeScript in both files: each worker fills its own slot; the main thread reads after the exits.
import { Worker } from 'node:worker_threads';

const slots = new Int32Array(new SharedArrayBuffer(4 * 4));
const workers = [0, 1, 2, 3].map((slot) => new Worker(new URL('./ts-worker.ts', import.meta.url), { workerData: { slots, slot } }));
await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
const values: number[] = Array.from(slots);
console.log('slots', values.join(','));
