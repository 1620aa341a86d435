// CommonJS: the same lost update in a module loaded with require.
let hits = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function hit() {
  const seen = hits;
  await sleep(1);
  hits = seen + 1;
}

Promise.all([hit(), hit(), hit()]).then(() => console.log('hits', hits));
