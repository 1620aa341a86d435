// Typed-array built-ins that read or write many elements, in a worker, while the main thread touches
// elements in and just outside their ranges without synchronisation (with --join it waits for the worker's
// exit first: no race). Each built-in must be reported exactly where its range meets a main-thread access,
// and not where the program's own code, run inside a built-in, orders the access.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new Int32Array(new SharedArrayBuffer(4 * 72));
  const worker = new Worker(new URL(import.meta.url), { workerData: shared });
  if (process.argv.includes('--join')) await new Promise((done) => worker.on('exit', done));
  shared[1] = -1; // slice(0, 2)
  shared[5] = -1; // spread
  shared[9] = -1; // Array.from
  shared[21] = -1; // copyWithin's source
  shared[25] = -1; // set's source
  shared[33] = -1; // indexOf
  shared[37] = -1; // join
  shared[41] = -1; // at(1)
  // Next to the ranges, or skipped inside them: none of these races.
  shared[2] = -1;
  shared[47] = -1;
  shared[50] = -1; // lastIndexOf finds element 51 first and stops
  shared[52] = -1; // with(0, …) does not read the element it replaces
  shared[56] = -1;
  shared[57] = -1; // a subclass's own fill, which writes nothing
  let seen = shared[13] + shared[17] + shared[29] + shared[45]; // written by fill, copyWithin, set, reverse
  // The worker's set writes element 64, then converting its next item releases a flag: ordered before this.
  while (Atomics.load(shared, 70) === 0) Atomics.wait(shared, 70, 0, 100);
  shared[64] = -1;
  if (!process.argv.includes('--join')) await new Promise((done) => worker.on('exit', done));
  console.log('done', typeof seen);
} else {
  const shared = workerData;
  const copies = [];
  copies.push(shared.slice(0, 2));
  copies.push([...shared.subarray(4, 6)]);
  copies.push(Array.from(shared.subarray(8, 10)));
  shared.fill(3, 12, 14);
  shared.copyWithin(16, 20, 22);
  new Int32Array(2).set(shared.subarray(24, 26));
  shared.set([1, 2], 28);
  copies.push(shared.subarray(32, 36).indexOf(-5));
  copies.push(shared.subarray(36, 40).join());
  copies.push(shared.subarray(40, 44).at(1));
  shared.subarray(44, 46).reverse();
  copies.push(shared.slice(48, 50), shared.subarray(50, 52).lastIndexOf(0), shared.subarray(52, 56).with(0, 1));
  const Lazy = class extends Int32Array {
    fill() {
      return this;
    }
  };
  new Lazy(shared.buffer, 4 * 56, 4).fill(1);
  const release = { valueOf: () => (Atomics.store(shared, 70, 1), Atomics.notify(shared, 70), 8) };
  shared.set([7, release], 64);
  // Iteration, in memory the main thread does not touch.
  const [x0, , x2, ...rest] = shared.subarray(58, 64);
  let sum = 0;
  for (const value of shared.subarray(12, 16)) sum += value;
  console.log('copies', copies.length, x0, x2, rest.join(), sum);
}
