// async-mutex's Mutex is not reentrant: a task that holds it and asks again waits for itself.
import { Mutex } from 'async-mutex';

const mutex = new Mutex();
let log = [];

async function append(entry) {
  await mutex.runExclusive(async () => {
    log = [...log, entry];
  });
}

async function appendTwice(entry) {
  await mutex.runExclusive(async () => {
    await append(entry);
    await append(entry);
  });
}

await appendTwice('x');
console.log('log', log);
