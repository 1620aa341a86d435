// Each deposit finishes before the next begins: awaited one after the other.
let balance = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  const current = balance;
  await sleep(1);
  balance = current + amount;
}

await deposit(10);
await deposit(20);
for (const amount of [1, 2, 3]) await deposit(amount);
console.log('balance', balance);
