// The worker announces on a BroadcastChannel before it writes: the main thread's read on receipt is not
// ordered with the write.
import { BroadcastChannel, Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const channel = new BroadcastChannel('early');
  channel.onmessage = () => {
    console.log('seen', typeof shared[0]);
    channel.close();
  };
  new Worker(new URL(import.meta.url), { workerData: shared });
} else {
  const channel = new BroadcastChannel('early');
  channel.postMessage('soon');
  workerData[0] = 1;
  channel.close();
}
