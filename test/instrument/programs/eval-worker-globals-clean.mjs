// A code worker (eval: true) whose script declares, at its top level, the names a bootstrap would most
// likely use itself: they must be the script's own, as under plain node.
import { Worker } from 'node:worker_threads';

const code = `
const { getEnvironmentData, parentPort, workerData } = require('node:worker_threads');
const boot = 'the worker said';
const vm = typeof getEnvironmentData;
parentPort.postMessage(boot + ' ' + vm + ' ' + workerData.shared[0]);
`;
const shared = new Int32Array(new SharedArrayBuffer(4));
shared[0] = 7;
const worker = new Worker(code, { eval: true, workerData: { shared } });
worker.once('message', (text) => {
  console.log(text);
  worker.terminate();
});
