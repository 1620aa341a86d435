/** Thread targets for the primitive benchmarks. */
import { MessagePort } from 'node:worker_threads';
import { Barrier, Lock, Queue } from '../src/primitives/index.js';

export function hammerLock(lock: Lock, start: Barrier, times: number): void {
  start.wait();
  for (let i = 0; i < times; i++) {
    lock.acquire();
    lock.release();
  }
}

export function produceQueue(queue: Queue<number>, start: Barrier, count: number): void {
  start.wait();
  for (let i = 0; i < count; i++) queue.put(i);
}

/** Records in `elapsed[0]` the ms from the start signal to the last item taken. */
export function consumeQueue(queue: Queue<number>, start: Barrier, count: number, elapsed: Float64Array): void {
  start.wait();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) queue.get();
  elapsed[0] = performance.now() - t0;
}

export function producePort(port: MessagePort, start: Barrier, count: number): void {
  start.wait();
  for (let i = 0; i < count; i++) port.postMessage(i);
}

export function consumePort(port: MessagePort, start: Barrier, count: number, elapsed: Float64Array): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    let t0 = 0;
    port.on('message', () => {
      if (++received === count) {
        elapsed[0] = performance.now() - t0;
        port.close();
        resolve();
      }
    });
    start.wait();
    t0 = performance.now();
  });
}
