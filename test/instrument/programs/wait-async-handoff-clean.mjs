// A worker awaits a flag with Atomics.waitAsync in async code; main fills the data, then stores and
// notifies the flag. The store and the woken wait order the data before the worker's reads. A pending
// waitAsync does not keep a thread alive: the worker holds an interval while it waits.
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';

if (isMainThread) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const data = new Float64Array(new SharedArrayBuffer(32));
  const worker = new Worker(new URL(import.meta.url), { workerData: { flag, data } });
  const answer = new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < data.length; i++) data[i] = i * 1.5;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  console.log('sum', await answer);
  await worker.terminate();
} else {
  const { flag, data } = workerData;
  const keepAlive = setInterval(() => {}, 1000);
  while (Atomics.load(flag, 0) === 0) {
    const result = Atomics.waitAsync(flag, 0, 0);
    if (result.async) await result.value;
  }
  clearInterval(keepAlive);
  let sum = 0;
  for (const value of data) sum += value;
  parentPort.postMessage(sum);
}
