// racecheck's own Lock, used from async tasks through its async form.
import { Lock } from 'racecheck';

let balance = 100;
const lock = new Lock();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  await lock.acquireAsync();
  try {
    const current = balance;
    await sleep(1);
    balance = current + amount;
  } finally {
    lock.release();
  }
}

await Promise.all([deposit(10), deposit(20)]);
console.log('balance', balance);
