// A worker iterates shared memory with for…of and array patterns while the main thread writes some of the
// elements without synchronisation. Only the elements actually read race: a pattern reads as many as it
// names, a loop left with break reads no further, and a read made after the loop body synchronised with
// the main thread is ordered after what the main thread wrote before it released the flag.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new Int32Array(new SharedArrayBuffer(4 * 32));
  const worker = new Worker(new URL(import.meta.url), { workerData: shared });
  shared[2] = -1; // read by the loop over 0–3
  shared[9] = -1; // named by the pattern
  shared[10] = -1; // not named by the pattern: no race
  shared[17] = -1; // after the break: no race
  shared[21] = -1; // read after the loop body waited for the flag: no race
  Atomics.store(shared, 31, 1);
  Atomics.notify(shared, 31);
  await new Promise((done) => worker.on('exit', done));
  console.log('done');
} else {
  const shared = workerData;
  let total = 0;
  for (const value of shared.subarray(0, 4)) total += value;
  const [first, second] = shared.subarray(8, 12);
  for (const value of shared.subarray(16, 20)) {
    total += value;
    break;
  }
  let waited = false;
  for (const value of shared.subarray(20, 22)) {
    if (!waited) Atomics.wait(shared, 31, 0);
    waited = true;
    total += value;
  }
  console.log('read', typeof (total + first + second));
}
