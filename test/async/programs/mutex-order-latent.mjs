// Opposite lock orders again, but the second transfer starts late enough that the first is done: no
// deadlock in this run (300 ms leaves room for a loaded machine), a lock-order inversion all the same
// (nothing orders the two transfers).
import { Mutex } from 'async-mutex';

const checking = new Mutex();
const savings = new Mutex();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function transfer(from, to) {
  await from.runExclusive(async () => {
    await sleep(1);
    await to.runExclusive(async () => {
      await sleep(1);
    });
  });
}

setTimeout(() => transfer(checking, savings), 0);
setTimeout(() => transfer(savings, checking), 300);
setTimeout(() => console.log('done'), 400);
