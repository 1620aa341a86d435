// The second deposit happens to start reading only after the first wrote back: no update is lost in
// this run, but nothing orders the two, and with other timings one overwrites the other.
let balance = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount, delay) {
  await sleep(delay);
  const current = balance;
  await sleep(1);
  balance = current + amount;
}

await Promise.all([deposit(10, 0), deposit(20, 50)]);
console.log('balance', balance);
