// Updates queued on a promise chain: each starts when the one before it has finished.
let balance = 100;
let queue = Promise.resolve();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  const current = balance;
  await sleep(1);
  balance = current + amount;
}

function enqueue(amount) {
  queue = queue.then(() => deposit(amount));
  return queue;
}

enqueue(10);
enqueue(20);
await enqueue(30);
console.log('balance', balance);
