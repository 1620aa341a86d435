// An async-heavy program: 100 tasks at once, each awaiting 1,000 operations of a store that looks up,
// parses and checks a JSON record of about 1 KB (100,000 awaited operations in all, a few microseconds of
// work each). Shared state is updated after each await (no lost update).
const TASKS = Number(process.env.ASYNC_TASKS ?? 100);
const OPERATIONS = Number(process.env.ASYNC_OPERATIONS ?? 1000);

const records = new Map();
for (let i = 0; i < 512; i++) {
  const tags = Array.from({ length: 24 }, (_, t) => `tag-${(i * 13 + t) % 97}`);
  const lines = Array.from({ length: 6 }, (_, l) => ({ sku: `sku-${i}-${l}`, quantity: (i + l) % 7, price: (i % 50) + l * 0.5 }));
  records.set(`key-${i}`, JSON.stringify({ id: i, name: `item ${i}`, tags, lines, price: i * 1.25 }));
}

let completed = 0;
let checksum = 0;

async function lookup(key) {
  await null;
  const record = JSON.parse(records.get(key));
  let hash = record.id;
  for (const tag of record.tags) hash = (hash * 31 + tag.charCodeAt(tag.length - 1)) | 0;
  for (const line of record.lines) hash = (hash * 31 + line.quantity * Math.round(line.price)) | 0;
  return hash + Math.round(record.price);
}

async function task(id) {
  let total = 0;
  for (let i = 0; i < OPERATIONS; i++) {
    const value = await lookup(`key-${(id * 7 + i) % 512}`);
    total += value;
    completed++;
  }
  checksum = (checksum + total) | 0;
}

await Promise.all(Array.from({ length: TASKS }, (_, id) => task(id)));
console.log('completed', completed, 'checksum', checksum);
