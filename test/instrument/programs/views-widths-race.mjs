// Views of different widths over one buffer: a Float64Array element and the Int32Array element in its
// upper half are the same bytes (a race), the Int32Array element after it is not; an unaligned DataView
// write covers bytes 22–25, which an Int16Array element at bytes 24–25 shares and one at 20–21 does not.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const shared = new SharedArrayBuffer(32);
  const workers = ['wide', 'narrow'].map((how) => new Worker(new URL(import.meta.url), { workerData: { shared, how } }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log('done');
} else {
  const { shared, how } = workerData;
  if (how === 'wide') {
    new Float64Array(shared)[1] = 1.5;
    new DataView(shared).setInt32(22, -1);
  } else {
    const words = new Int32Array(shared);
    const halves = new Int16Array(shared);
    console.log(typeof words[3], typeof words[4]);
    console.log(typeof halves[12], typeof halves[10]);
  }
}
