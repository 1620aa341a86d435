// A task waits for a response whose resolver is never called: it never finishes, and the program
// silently exits with it pending.
const pending = new Map();

function request(id) {
  return new Promise((resolve) => pending.set(id, resolve));
}

async function worker() {
  const answer = await request(1);
  console.log('answer', answer);
}

worker();
console.log('started');
