// A call nobody awaits runs alongside the code after it.
let visits = 0;
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function recordVisit() {
  const seen = visits;
  await tick();
  visits = seen + 1;
}

recordVisit();
await recordVisit();
await tick();
console.log('visits', visits);
