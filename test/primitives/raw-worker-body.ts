/** Runs in a plain `new Worker(...)`: primitives arrive through workerData and messages, not Thread args. */
import { parentPort, workerData } from 'node:worker_threads';
import { Lock, Queue } from '../../src/primitives/index.js';

const { lock, counter, times } = workerData as { lock: Lock; counter: Int32Array; times: number };
for (let i = 0; i < times; i++) lock.withLock(() => void (counter[0] = counter[0]! + 1));

parentPort!.on('message', (message: { reply: Queue<string> }) => {
  message.reply.put(message.reply instanceof Queue ? 'a working Queue' : 'a plain object');
  const fresh = new Lock();
  fresh.acquire();
  parentPort!.postMessage({ fresh });
});
