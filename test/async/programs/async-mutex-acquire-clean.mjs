// acquire() and the releaser it returns, released in finally.
import { Mutex } from 'async-mutex';

const account = { balance: 0 };
const mutex = new Mutex();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function credit(target, amount) {
  const release = await mutex.acquire();
  try {
    const before = target.balance;
    await sleep(1);
    target.balance = before + amount;
  } finally {
    release();
  }
}

await Promise.all([credit(account, 5), credit(account, 6), credit(account, 7)]);
console.log('balance', account.balance);
