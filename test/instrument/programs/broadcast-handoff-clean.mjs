// A worker fills a shared buffer, then announces it on a BroadcastChannel; the main thread reads the buffer
// when the announcement arrives: the message orders the writes before the reads.
import { BroadcastChannel, Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new Int32Array(new SharedArrayBuffer(16));
  const channel = new BroadcastChannel('results');
  channel.onmessage = (event) => {
    const values = [];
    for (let i = 0; i < shared.length; i++) values.push(shared[i]);
    console.log(event.data, values.join(' '));
    channel.close();
  };
  new Worker(new URL(import.meta.url), { workerData: shared });
} else {
  for (let i = 0; i < 4; i++) workerData[i] = i * i;
  const channel = new BroadcastChannel('results');
  channel.postMessage('filled');
  channel.close();
}
