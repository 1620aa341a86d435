// Two consumers iterate their own streams and both fold into one running total across an await.
import { Readable } from 'node:stream';

let total = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function consume(values) {
  for await (const value of Readable.from(values)) {
    const before = total;
    await sleep(1);
    total = before + value;
  }
}

await Promise.all([consume([1, 2, 3]), consume([10, 20, 30])]);
console.log('total', total);
