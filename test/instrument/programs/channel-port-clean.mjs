// A MessageChannel port handed to the worker: the worker writes, then posts on the port; the main
// thread reads after the message arrives on the other end.
import { MessageChannel, Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const { port1, port2 } = new MessageChannel();
  const result = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: { port: port2, result }, transferList: [port2] });
  port1.once('message', () => {
    console.log('result', result[0] + result[1]);
    port1.close();
  });
  await new Promise((done) => worker.on('exit', done));
} else {
  const { port, result } = workerData;
  result[0] = 20;
  result[1] = 22;
  port.postMessage('written');
  port.close();
}
