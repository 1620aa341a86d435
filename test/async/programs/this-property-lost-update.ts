// A TypeScript class whose async method updates a field across an await.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Inventory {
  count = 0;

  async restock(amount: number): Promise<void> {
    const current: number = this.count;
    await sleep(2);
    this.count = current + amount;
  }
}

const inventory = new Inventory();
await Promise.all([inventory.restock(5), inventory.restock(7)]);
console.log('count', inventory.count);
