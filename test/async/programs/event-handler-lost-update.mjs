// Handlers of an EventEmitter: each order reads the stock, checks the warehouse, and writes it back.
import { EventEmitter } from 'node:events';

const shop = new EventEmitter();
let stock = 10;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

shop.on('order', async (quantity) => {
  const before = stock;
  await sleep(2);
  stock = before - quantity;
});

shop.emit('order', 2);
shop.emit('order', 3);
await sleep(20);
console.log('stock', stock);
