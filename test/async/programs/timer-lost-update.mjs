// Two timer callbacks, each an async read-await-write of the same stock level.
let stock = 10;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function sell(quantity) {
  const available = stock;
  await sleep(5);
  stock = available - quantity;
}

setTimeout(() => sell(3), 1);
setTimeout(() => sell(4), 2);
setTimeout(() => console.log('stock', stock), 50);
