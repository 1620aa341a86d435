// Two workers given as code (eval: true) increment one shared counter without synchronisation. Their code
// runs as Node runs it — a script, with `this` the global object and its `var`s global.
import { Worker } from 'node:worker_threads';

const code = `
const { workerData } = require('node:worker_threads');
var script = this === globalThis;
for (let i = 0; i < 100; i++) workerData.counter[0]++;
if (!script || globalThis.script !== true) throw new Error('not run as a script');
`;
const counter = new Int32Array(new SharedArrayBuffer(4));
const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { counter } }));
await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
console.log('counted', counter[0] > 0);
