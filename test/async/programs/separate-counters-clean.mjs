// Two counters made by one factory: each task updates its own counter's closure, never the other's.
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

const left = makeCounter();
const right = makeCounter();
await Promise.all([left.increment(), right.increment()]);
console.log('values', left.value, right.value);
