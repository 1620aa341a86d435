// receiveMessageOnPort: the main thread polls synchronously for the worker's message, then reads.
import { MessageChannel, Worker, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';

if (isMainThread) {
  const { port1, port2 } = new MessageChannel();
  const data = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { port: port2, data }, transferList: [port2] });
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let message;
  while (!(message = receiveMessageOnPort(port1))) Atomics.wait(nap, 0, 0, 5);
  console.log('got', message.message, data[0]);
  port1.close();
  await new Promise((done) => worker.on('exit', done));
} else {
  workerData.data[0] = 99;
  workerData.port.postMessage('ready');
  workerData.port.close();
}
