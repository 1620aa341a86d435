// An account's deposit takes the account's mutex and calls a helper that records the new balance — which
// takes the same mutex again. The mutex is not reentrant: the worker waits for itself forever.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { lock, unlock } from './helpers/futex-mutex.mjs';

function record(account) {
  lock(account.mutex, 0);
  account.history[0] = account.balance[0];
  unlock(account.mutex, 0);
}

function deposit(account, amount) {
  lock(account.mutex, 0);
  account.balance[0] += amount;
  record(account);
  unlock(account.mutex, 0);
}

if (isMainThread) {
  const account = { mutex: new Int32Array(new SharedArrayBuffer(4)), balance: new Int32Array(new SharedArrayBuffer(4)), history: new Int32Array(new SharedArrayBuffer(4)) };
  const worker = new Worker(new URL(import.meta.url), { workerData: account });
  await new Promise((resolve) => worker.on('exit', resolve));
  console.log('never printed');
} else {
  deposit(workerData, 10);
}
