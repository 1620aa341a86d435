/** Benchmarks of the tracer (issue: lossless ring, collector, trace files). */
import { Barrier, Lock, Thread, type AcquireOptions } from '../src/primitives/index.js';
import { acquireDeadline } from '../src/primitives/lock.js';
import { LockLayout } from '../src/primitives/layout.js';
import { lockWordSync, tryLockWord, unlockWord } from '../src/primitives/mutex-word.js';
import { Collector, type CollectorSink } from '../src/tracer/collector.js';
import { createRing } from '../src/tracer/ring.js';
import { compare, median, type Metrics } from './harness.js';

const workers = new URL('./tracer-workers.ts', import.meta.url);

/** Drains and counts, so the benchmark measures the ring and not a disk. */
class CountingSink implements CollectorSink {
  bytes = 0;
  laneRecords(_lane: number, records: Uint8Array): void {
    this.bytes += records.length;
  }
  flush(): void {}
  end(): void {}
}

async function ringThroughput(producers: number, perProducer: number): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < 4; round++) {
    const ring = createRing({ lanes: 8 });
    const start = new Barrier(producers + 1);
    const done = new Int32Array(new SharedArrayBuffer(4));
    const threads = Array.from(
      { length: producers },
      () => new Thread({ target: 'produceEvents', args: [ring, start, perProducer, done], module: workers }),
    );
    for (const thread of threads) thread.start();
    start.wait();
    const t0 = performance.now();
    const collector = new Collector(ring, new CountingSink(), { idleSleep: 1 });
    collector.run(() => Atomics.load(done, 0) === producers);
    const seconds = (performance.now() - t0) / 1000;
    collector.finish();
    for (const thread of threads) await thread.joinAsync();
    const total = collector.drained.reduce((a, b) => a + b, 0);
    if (total < producers * perProducer) throw new Error(`lost events: ${total} of ${producers * perProducer}`);
    if (round > 0) rates.push((producers * perProducer) / seconds);
  }
  return median(rates);
}

/**
 * Lock's acquire/release exactly as written (the default, unfair kind, with the same check for the fair
 * kind), minus the tracing hook: the baseline for tracer.off.
 */
class HooklessLock {
  readonly #words = new Int32Array(new SharedArrayBuffer(LockLayout.WORDS * 4));
  readonly #fair = this.#words[LockLayout.FAIR] === 1;
  acquire(options?: AcquireOptions): boolean {
    const deadline = acquireDeadline(options, 'Lock.acquire');
    const words = this.#words;
    const taken = this.#fair
      ? false
      : tryLockWord(words, LockLayout.STATE) || (deadline > 0 && lockWordSync(words, LockLayout.STATE, deadline));
    if (taken) words[LockLayout.OWNER] = 1;
    return taken;
  }
  release(): void {
    const words = this.#words;
    if (!this.locked()) throw new Error('not locked');
    words[LockLayout.OWNER] = 0;
    if (this.#fair) throw new Error('unused');
    else unlockWord(words, LockLayout.STATE);
  }
  locked(): boolean {
    const words = this.#words;
    return this.#fair ? Atomics.load(words, LockLayout.SERVING) !== Atomics.load(words, LockLayout.TICKET) : Atomics.load(words, LockLayout.STATE) !== 0;
  }
}

async function tracingOff(): Promise<number> {
  const N = 3_000_000;
  const lock = new Lock();
  const hookless = new HooklessLock();
  // Measured in fresh closures after a first full comparison: the first loops V8 compiles (with on-stack
  // replacement) differ from steady state by a few percent, in either direction.
  await compareLocks(lock, hookless, N);
  return compareLocks(lock, hookless, N);
}

async function compareLocks(lock: Lock, hookless: HooklessLock, N: number): Promise<number> {
  const { ratio } = await compare(
    () => {
      for (let i = 0; i < N; i++) {
        lock.acquire();
        lock.release();
      }
    },
    () => {
      for (let i = 0; i < N; i++) {
        hookless.acquire();
        hookless.release();
      }
    },
    11,
    3,
  );
  return ratio;
}

export async function run(): Promise<Metrics> {
  // First, while the process is fresh: the ring benchmarks below start threads and leave JIT state behind.
  const offRatio = await tracingOff();
  const perThread = 4_000_000;
  const metrics: Metrics = {};
  for (const producers of [1, 2, 4]) {
    metrics[`ring.events_per_s.${producers}p`] = {
      value: await ringThroughput(producers, perThread / producers * 2),
      unit: 'events/s',
      baseline: `lossless, ${producers} producer thread(s) into the ring, drained by a collector thread (goal >= 20M aggregate)`,
    };
  }
  metrics['tracer.off.ratio'] = {
    value: offRatio,
    unit: 'x',
    baseline: 'Lock acquire+release with tracing compiled in but off / the same code with the hook removed (goal <= 1.02)',
  };
  return metrics;
}
