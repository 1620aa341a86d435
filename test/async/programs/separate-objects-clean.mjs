// Each task updates its own account object: the property has one name but two owners.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function addInterest(account) {
  const balance = account.balance;
  await sleep(1);
  account.balance = balance * 1.5;
}

const alice = { balance: 100 };
const bob = { balance: 200 };
await Promise.all([addInterest(alice), addInterest(bob)]);
console.log('balances', alice.balance, bob.balance);
