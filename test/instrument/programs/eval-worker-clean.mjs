// A worker given as code (eval: true) gets racecheck's preload from a bootstrap: it must still get its
// workerData and messages exactly as sent, and the program must work as under plain node.
import { Worker } from 'node:worker_threads';

const code = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.once('message', (message) => {
  parentPort.postMessage({ doubled: workerData.value * 2, echoed: message.text });
});
`;
const worker = new Worker(code, { eval: true, workerData: { value: 21 } });
worker.postMessage({ text: 'hello' });
worker.once('message', (reply) => {
  console.log('reply', reply.doubled, reply.echoed);
  worker.terminate();
});
