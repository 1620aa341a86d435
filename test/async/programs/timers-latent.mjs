// Two timer jobs: in this run the first writes back long before the second starts, but the timers are
// not ordered with each other — a slower store, or a shorter second delay, makes one update vanish.
let jobs = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runJob() {
  const seen = jobs;
  await sleep(1);
  jobs = seen + 1;
}

setTimeout(() => runJob(), 0);
setTimeout(() => runJob(), 40);
setTimeout(() => console.log('jobs', jobs), 80);
