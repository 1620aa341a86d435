// The counter lives in a closure that both tasks share.
const tick = () => new Promise((resolve) => setImmediate(resolve));

function makeCounter() {
  let value = 0;
  return {
    async increment() {
      const seen = value;
      await tick();
      value = seen + 1;
    },
    get value() {
      return value;
    },
  };
}

const counter = makeCounter();
await Promise.all([counter.increment(), counter.increment()]);
console.log('value', counter.value);
