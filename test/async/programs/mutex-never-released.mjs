// An early return skips the release: the next task waits for a lock nobody will give back.
import { Mutex } from 'async-mutex';

const mutex = new Mutex();
const seen = new Set();

async function handle(id) {
  const release = await mutex.acquire();
  if (seen.has(id)) return;
  seen.add(id);
  release();
}

await handle(1);
await handle(1);
await handle(2);
console.log('handled', seen.size);
