// Typed arrays on ordinary ArrayBuffers and plain arrays are each thread's own: nothing to report.
import { Worker, isMainThread } from 'node:worker_threads';

function work() {
  const local = new Float64Array(32);
  const plain = [];
  for (let i = 0; i < local.length; i++) {
    local[i] = i * 2;
    plain[i] = local[i] + 1;
  }
  return plain[31];
}

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url));
  console.log('main', work());
  await new Promise((done) => worker.on('exit', done));
} else {
  work();
}
