// A plain reset from a timer can land between a task's read and its write-back.
let pending = 5;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function complete() {
  const left = pending;
  await sleep(10);
  pending = left - 1;
}

setTimeout(() => {
  pending = 0;
}, 1);
await complete();
console.log('pending', pending);
