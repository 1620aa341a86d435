// A Semaphore of one permit serialises the updates just as a Mutex does.
import { Semaphore } from 'async-mutex';

let reserved = 0;
const seats = new Semaphore(1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function reserve(count) {
  const [, release] = await seats.acquire();
  try {
    const current = reserved;
    await sleep(1);
    reserved = current + count;
  } finally {
    release();
  }
}

await Promise.all([reserve(2), reserve(3)]);
console.log('reserved', reserved);
