// A producer fills the data and raises its `ready` flag; the consumer waits — on the wrong flag: `go`, which
// main raises after a while without looking at `ready`. In time the data is there first, but nothing
// orders the producer's writes before the consumer's reads: Atomics on other locations order nothing.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const flags = new Int32Array(new SharedArrayBuffer(8)); // [ready, go]
  const data = new Int32Array(new SharedArrayBuffer(16));
  const producer = new Worker(new URL(import.meta.url), { workerData: { role: 'producer', flags, data } });
  const consumer = new Worker(new URL(import.meta.url), { workerData: { role: 'consumer', flags, data } });
  const exited = [producer, consumer].map((w) => new Promise((resolve) => w.on('exit', resolve)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  await Promise.all(exited);
  console.log('done');
} else if (workerData.role === 'producer') {
  const { flags, data } = workerData;
  for (let i = 0; i < data.length; i++) data[i] = i + 1;
  Atomics.store(flags, 0, 1);
} else {
  const { flags, data } = workerData;
  while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 20);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  if (sum < 0) console.log('impossible');
}
