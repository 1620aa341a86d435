// The wrong-flag program done right: the consumer waits on the producer's `ready` flag, whose store and
// load order the producer's writes before its reads (main still raises `go`, which nobody needs now).
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
  Atomics.notify(flags, 0);
} else {
  const { flags, data } = workerData;
  while (Atomics.load(flags, 0) === 0) Atomics.wait(flags, 0, 0, 20);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  if (sum !== 10) console.log('impossible');
}
