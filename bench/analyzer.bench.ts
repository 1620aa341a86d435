/** Benchmarks of the analyzer (issue: happens-before races, lock-order cycles, real deadlocks). */
import { analyzeTrace } from '../src/analyzer/analyze.js';
import { LockGraph } from '../src/analyzer/lock-graph.js';
import { AcquireMode, EventKind, isSyncKind, type TraceEvent } from '../src/tracer/schema.js';
import { median, type Metrics } from './harness.js';

const THREADS = 8;
const LOCATIONS_PER_THREAD = 4096;
const SHARED_LOCATIONS = 1024;

/**
 * A synthetic trace like a lock-protected parallel program: each thread takes one of 16 locks, touches
 * shared locations under it, then works on its own slice of a buffer; threads start from main.
 */
function* syntheticTrace(total: number): Generator<TraceEvent> {
  let seq = 0;
  const event = (thread: number, kind: EventKind, hi: number, lo: number, arg: number): TraceEvent => ({
    kind,
    thread,
    seq: isSyncKind(kind) ? seq++ : -1,
    objectHi: hi,
    objectLo: lo,
    site: 1 + (kind % 7),
    arg,
    width: 4,
    detail: 0,
    time: 0,
    offset: 0,
  });
  for (let t = 1; t <= THREADS; t++) {
    yield event(0, EventKind.ThreadSpawn, 0, 1000 + t, t);
    yield event(t, EventKind.ThreadStart, 0, 1000 + t, 0);
  }
  let produced = THREADS * 2;
  let round = 0;
  while (produced < total) {
    for (let t = 1; t <= THREADS && produced < total; t++) {
      const lock = (round + t) % 16;
      yield event(t, EventKind.LockAttempt, 0, lock, AcquireMode.Blocking);
      yield event(t, EventKind.LockAcquired, 0, lock, AcquireMode.Blocking);
      for (let i = 0; i < 4; i++) {
        const offset = 4 * ((lock * 64 + ((round + i) % 64)) % SHARED_LOCATIONS);
        yield event(t, i % 2 ? EventKind.MemoryWrite : EventKind.MemoryRead, 0, 1, offset);
      }
      yield event(t, EventKind.LockRelease, 0, lock, 0);
      for (let i = 0; i < 24; i++) {
        const offset = 4 * (t * LOCATIONS_PER_THREAD + ((round * 24 + i) % LOCATIONS_PER_THREAD));
        yield event(t, i % 3 ? EventKind.MemoryRead : EventKind.MemoryWrite, 0, 2, offset);
      }
      produced += 31;
    }
    round++;
  }
  for (let t = 1; t <= THREADS; t++) {
    yield event(t, EventKind.ThreadExit, 0, 1000 + t, 0);
    yield event(0, EventKind.ThreadJoin, 0, 1000 + t, 0);
  }
}

function hbThroughput(total: number): { rate: number; findings: number } {
  const start = performance.now();
  const report = analyzeTrace({ events: () => syntheticTrace(total), site: () => undefined, threadName: (t) => `t${t}` }, { cwd: '/' });
  const seconds = (performance.now() - start) / 1000;
  return { rate: total / seconds, findings: report.findings.length };
}

function lockGraphTime(): number {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const graph = new LockGraph();
    const start = performance.now();
    // 1,000,000 acquisitions over 10,000 locks: nested pairs taken in a consistent global order, and every
    // 50,000th pair taken the other way round by another thread, so that cycle search finds real cycles.
    let inverted = 0;
    for (let i = 0; i < 500_000; i++) {
      const thread = i % 8;
      const a = (i * 7919) % 10_000;
      const b = (a + 1 + (i % 13)) % 10_000;
      let [outer, inner] = [Math.min(a, b), Math.max(a, b)];
      if (i % 50_000 === 0) inverted = ((i / 50_000) * 997) % 9_999;
      if (i % 50_000 === 1) [outer, inner] = [inverted + 1, inverted];
      if (i % 50_000 === 2) [outer, inner] = [inverted, inverted + 1];
      graph.afterLock(thread, outer, 1, true);
      graph.afterLock(thread, inner, 2, true);
      graph.beforeUnlock(thread, inner);
      graph.beforeUnlock(thread, outer);
    }
    const cycles = graph.takeReport(() => true);
    times.push((performance.now() - start) / 1000);
    if (cycles.length < 10) throw new Error(`expected the planted inversions to be found, got ${cycles.length} cycles`);
  }
  return median(times);
}

export async function run(): Promise<Metrics> {
  hbThroughput(1_000_000);
  const rates: number[] = [];
  let findings = 0;
  for (let i = 0; i < 3; i++) {
    const result = hbThroughput(10_000_000);
    rates.push(result.rate);
    findings = result.findings;
  }
  if (findings !== 0) throw new Error(`the synthetic trace is race-free, but ${findings} findings were reported`);
  const rss = process.resourceUsage().maxRSS / 1024;
  return {
    'hb.events_per_s': {
      value: median(rates),
      unit: 'events/s',
      baseline: 'happens-before + lock graph over a synthetic 10M-event trace, 8 threads, one analyzer thread (goal >= 5M/s)',
    },
    'hb.peak_rss.MB': {
      value: rss,
      unit: 'MB',
      baseline: `peak RSS of the process after the 10M-event runs (shadow for ${THREADS * LOCATIONS_PER_THREAD + SHARED_LOCATIONS} locations)`,
    },
    'lockgraph.1m_acquires.s': {
      value: lockGraphTime(),
      unit: 's',
      baseline: 'lock-order graph: 1M acquisitions over 10,000 locks, then cycle search (goal < 1 s)',
    },
  };
}
