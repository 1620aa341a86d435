// ESLint's require-atomic-updates example: `total += await …` reads total before the await.
let total = 0;
const price = (item) => new Promise((resolve) => setTimeout(() => resolve(item.length), 2));

async function addToTotal(item) {
  total += await price(item);
}

await Promise.all(['apple', 'pear', 'fig'].map(addToTotal));
console.log('total', total);
