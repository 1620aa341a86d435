// racecheck's own Locks taken asynchronously in opposite orders by two timer tasks of one thread: the
// second starts after the first is done, so nothing hangs in this run — a lock-order inversion all the same.
import { Lock } from 'racecheck';

const ledger = new Lock();
const audit = new Lock();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(first, second) {
  await first.acquireAsync();
  await sleep(1);
  await second.acquireAsync();
  second.release();
  first.release();
}

setTimeout(() => post(ledger, audit), 0);
setTimeout(() => post(audit, ledger), 50);
setTimeout(() => console.log('posted'), 100);
