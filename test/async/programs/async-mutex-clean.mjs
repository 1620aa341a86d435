// The same deposits, each holding an async-mutex Mutex across its read, await and write.
import { Mutex } from 'async-mutex';

let balance = 100;
const mutex = new Mutex();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  await mutex.runExclusive(async () => {
    const current = balance;
    await sleep(2);
    balance = current + amount;
  });
}

await Promise.all([deposit(10), deposit(20), deposit(30)]);
console.log('balance', balance);
