// The self-relock program done right: the helper expects its caller to hold the mutex and does not take
// it again; two workers deposit concurrently under the mutex.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { lock, unlock } from './helpers/futex-mutex.mjs';

function recordLocked(account) {
  account.history[0] = account.balance[0];
}

function deposit(account, amount) {
  lock(account.mutex, 0);
  account.balance[0] += amount;
  recordLocked(account);
  unlock(account.mutex, 0);
}

if (isMainThread) {
  const account = { mutex: new Int32Array(new SharedArrayBuffer(4)), balance: new Int32Array(new SharedArrayBuffer(4)), history: new Int32Array(new SharedArrayBuffer(4)) };
  const workers = [10, 20].map((amount) => new Worker(new URL(import.meta.url), { workerData: { account, amount } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log('balance', account.balance[0]);
} else {
  for (let i = 0; i < 100; i++) deposit(workerData.account, workerData.amount);
}
