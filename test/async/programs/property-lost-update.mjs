// The shared state is a property of an object passed in: both transfers debit the same account.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function withdraw(account, amount) {
  const balance = account.balance;
  if (balance < amount) throw new Error('insufficient funds');
  await sleep(2);
  account.balance = balance - amount;
}

const checking = { owner: 'ada', balance: 100 };
await Promise.all([withdraw(checking, 30), withdraw(checking, 50)]);
console.log('balance', checking.balance);
