// Workers update a shared account under a spin lock kept in a TypeScript class of a helper module.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { SpinLock } from './helpers/spin-lock.js';

interface Shared {
  lockWord: Int32Array;
  account: Float64Array;
}

if (isMainThread) {
  const shared: Shared = { lockWord: new Int32Array(new SharedArrayBuffer(4)), account: new Float64Array(new SharedArrayBuffer(16)) };
  const workers = [1, 2].map(() => new Worker(new URL(import.meta.url), { workerData: shared }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log('balance', shared.account[0], 'operations', shared.account[1]);
} else {
  const { lockWord, account } = workerData as Shared;
  const lock = new SpinLock(lockWord, 0);
  for (let i = 0; i < 200; i++) {
    lock.with(() => {
      account[0] = account[0]! + 5;
      account[1] = account[1]! + 1;
    });
  }
}
