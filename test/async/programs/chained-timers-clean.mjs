// Each timer is set by the job before it, after that job wrote back: the jobs form one chain.
let runs = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function job(remaining) {
  const seen = runs;
  await sleep(1);
  runs = seen + 1;
  if (remaining > 1) setTimeout(() => job(remaining - 1), 1);
  else console.log('runs', runs);
}

setTimeout(() => job(3), 1);
