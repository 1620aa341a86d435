// Drepper's futex mutex (0 free, 1 locked, 2 locked with waiters) built on Atomics.wait/notify guards a
// shared balance: no race.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

class FutexMutex {
  constructor(private readonly word: Int32Array, private readonly index: number) {}

  lock(): void {
    let c = Atomics.compareExchange(this.word, this.index, 0, 1);
    if (c === 0) return;
    if (c !== 2) c = Atomics.exchange(this.word, this.index, 2);
    while (c !== 0) {
      Atomics.wait(this.word, this.index, 2);
      c = Atomics.exchange(this.word, this.index, 2);
    }
  }

  unlock(): void {
    if (Atomics.sub(this.word, this.index, 1) !== 1) {
      Atomics.store(this.word, this.index, 0);
      Atomics.notify(this.word, this.index, 1);
    }
  }
}

if (isMainThread) {
  const shared = new SharedArrayBuffer(16);
  const workers = [1, 2].map(() => new Worker(new URL(import.meta.url), { workerData: shared }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('balance', new Float64Array(shared, 8)[0]);
} else {
  const shared = workerData as SharedArrayBuffer;
  const mutex = new FutexMutex(new Int32Array(shared, 0, 1), 0);
  const balance = new Float64Array(shared, 8, 1);
  for (let i = 0; i < 300; i++) {
    mutex.lock();
    balance[0] += 1;
    mutex.unlock();
  }
}
