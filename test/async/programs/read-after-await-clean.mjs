// The balance is read after the await, in the same run-to-completion step as the write.
let balance = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deposit(amount) {
  await sleep(1);
  balance += amount;
}

async function depositChecked(amount) {
  const approved = await sleep(1).then(() => amount > 0);
  if (approved) balance = balance + amount;
}

await Promise.all([deposit(10), deposit(20), depositChecked(5), depositChecked(6)]);
console.log('balance', balance);
