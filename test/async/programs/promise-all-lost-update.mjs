// Two deposits run at once: each reads the balance, waits for the "bank", and writes back its own sum.
let balance = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  const current = balance;
  await sleep(5);
  balance = current + amount;
}

await Promise.all([deposit(10), deposit(20)]);
console.log('balance', balance);
