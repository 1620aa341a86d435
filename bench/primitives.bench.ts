/** Benchmarks of the primitives (issue: foundation and primitives). */
import { MessageChannel } from 'node:worker_threads';
import { Mutex } from 'async-mutex';
import { Barrier, Lock, Queue, Thread } from '../src/primitives/index.js';
import { compare, median, type Metrics } from './harness.js';

const workers = new URL('./primitives-workers.ts', import.meta.url);

/** The baseline the issue names: the smallest correct Atomics mutex (compareExchange, wait, notify). */
class AtomicsMutex {
  readonly #word = new Int32Array(new SharedArrayBuffer(4));
  lock(): void {
    while (Atomics.compareExchange(this.#word, 0, 0, 1) !== 0) Atomics.wait(this.#word, 0, 1);
  }
  unlock(): void {
    Atomics.store(this.#word, 0, 0);
    Atomics.notify(this.#word, 0, 1);
  }
}

async function runThreads(specs: { target: string; args: unknown[] }[]): Promise<void> {
  const threads = specs.map((spec) => new Thread({ target: spec.target, args: spec.args, module: workers }));
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
}

async function uncontendedLock(): Promise<number> {
  const N = 2_000_000;
  const lock = new Lock();
  const mutex = new AtomicsMutex();
  const { ratio } = await compare(
    () => {
      for (let i = 0; i < N; i++) {
        lock.acquire();
        lock.release();
      }
    },
    () => {
      for (let i = 0; i < N; i++) {
        mutex.lock();
        mutex.unlock();
      }
    },
    9,
    3,
  );
  return ratio;
}

async function contendedLock(): Promise<number> {
  const times = 200_000;
  const rates: number[] = [];
  for (let round = 0; round < 4; round++) {
    const lock = new Lock();
    const start = new Barrier(3);
    const running = runThreads([
      { target: 'hammerLock', args: [lock, start, times] },
      { target: 'hammerLock', args: [lock, start, times] },
    ]);
    await start.waitAsync();
    const t0 = performance.now();
    await running;
    const seconds = (performance.now() - t0) / 1000;
    if (round > 0) rates.push((2 * times) / seconds);
  }
  return median(rates);
}

async function queueVsPostMessage(): Promise<{ ratio: number; queueRate: number; portRate: number }> {
  const count = 100_000;
  const queueRates: number[] = [];
  const portRates: number[] = [];
  for (let round = 0; round < 4; round++) {
    const elapsed = new Float64Array(new SharedArrayBuffer(8));
    const queue = new Queue<number>();
    const start = new Barrier(2);
    await runThreads([
      { target: 'produceQueue', args: [queue, start, count] },
      { target: 'consumeQueue', args: [queue, start, count, elapsed] },
    ]);
    const queueRate = count / (elapsed[0]! / 1000);
    const portStart = new Barrier(2);
    const { port1, port2 } = new MessageChannel();
    const portThreads = [
      new Thread({ target: 'producePort', args: [port1, portStart, count], module: workers, transferList: [port1] }),
      new Thread({ target: 'consumePort', args: [port2, portStart, count, elapsed], module: workers, transferList: [port2] }),
    ];
    for (const thread of portThreads) thread.start();
    for (const thread of portThreads) await thread.joinAsync();
    const portRate = count / (elapsed[0]! / 1000);
    if (round > 0) {
      queueRates.push(queueRate);
      portRates.push(portRate);
    }
  }
  const queueRate = median(queueRates);
  const portRate = median(portRates);
  return { ratio: queueRate / portRate, queueRate, portRate };
}

async function asyncLockVsAsyncMutex(): Promise<number> {
  const N = 200_000;
  const lock = new Lock();
  const mutex = new Mutex();
  const { ratio } = await compare(
    async () => {
      for (let i = 0; i < N; i++) {
        await lock.acquireAsync();
        lock.release();
      }
    },
    async () => {
      for (let i = 0; i < N; i++) {
        const release = await mutex.acquire();
        release();
      }
    },
    7,
    2,
  );
  return ratio;
}

export async function run(): Promise<Metrics> {
  const uncontended = await uncontendedLock();
  const contended = await contendedLock();
  const queue = await queueVsPostMessage();
  const asyncRatio = await asyncLockVsAsyncMutex();
  return {
    'lock.uncontended.ratio_vs_atomics_mutex': {
      value: uncontended,
      unit: 'x',
      baseline: 'minimal Atomics compareExchange/wait/notify mutex, same loop (goal <= 1.5)',
    },
    'lock.contended.ops_per_s': {
      value: contended,
      unit: 'ops/s',
      baseline: 'acquire+release pairs per second, 2 threads on one Lock',
    },
    'queue.ratio_vs_postmessage': {
      value: queue.ratio,
      unit: 'x',
      baseline: `Queue items/s (${Math.round(queue.queueRate)}) / MessagePort.postMessage items/s (${Math.round(queue.portRate)}) between two threads (goal >= 1.0)`,
    },
    'lock.async.ratio_vs_async_mutex': {
      value: asyncRatio,
      unit: 'x',
      baseline: 'async-mutex Mutex acquire/release, same loop (goal <= 1.5)',
    },
  };
}
