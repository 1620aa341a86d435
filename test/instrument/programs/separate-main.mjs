// Workers in a separate file both write the shared total without synchronisation.
import { Worker } from 'node:worker_threads';

const total = new Float64Array(new SharedArrayBuffer(8));
const workers = [1, 2].map((amount) => new Worker(new URL('./separate-worker.mjs', import.meta.url), { workerData: { total, amount } }));
await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
console.log('total is a number', typeof total[0] === 'number');
