// Both transfers take the locks in one global order: no cycle.
import { Mutex } from 'async-mutex';

const first = new Mutex();
const second = new Mutex();
let moved = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function transfer(amount) {
  await first.runExclusive(async () => {
    await sleep(1);
    await second.runExclusive(async () => {
      const before = moved;
      await sleep(1);
      moved = before + amount;
    });
  });
}

await Promise.all([transfer(1), transfer(2), transfer(3)]);
console.log('moved', moved);
