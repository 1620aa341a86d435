/**
 * Shared benchmark plumbing: every benchmark measures a ratio against a baseline run in the same process,
 * after warm-up, as the median of several rounds; `bench/run.ts` merges all metrics into bench/results.json.
 */
export type Unit = 'x' | 'events/s' | 'ops/s' | 's' | 'MB' | 'us';

export interface Metric {
  value: number;
  unit: Unit;
  /** What the value was compared with, or what it counts. */
  baseline: string;
}

/** A metric as results.json keeps it: the latest figure, the Node it was measured on, and each major's latest. */
export interface RecordedMetric extends Metric {
  node: string;
  /** Node major ("20", "24", …) → the latest figure measured on it, and the exact version. */
  nodes: Record<string, { value: number; node: string }>;
}

export type Metrics = Record<string, Metric>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median wall time in ms of `fn` over `rounds` runs, after `warmup` unmeasured runs. */
export async function timeMedian(fn: () => unknown, rounds = 7, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Times `subject` and `baseline` in alternating rounds (so drift in machine load hits both alike) and
 * returns the medians and their ratio subject ÷ baseline.
 */
export async function compare(
  subject: () => unknown,
  baseline: () => unknown,
  rounds = 7,
  warmup = 2,
): Promise<{ subjectMs: number; baselineMs: number; ratio: number }> {
  for (let i = 0; i < warmup; i++) {
    await subject();
    await baseline();
  }
  const subjectTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let start = performance.now();
    await subject();
    subjectTimes.push(performance.now() - start);
    start = performance.now();
    await baseline();
    baselineTimes.push(performance.now() - start);
  }
  const subjectMs = median(subjectTimes);
  const baselineMs = median(baselineTimes);
  return { subjectMs, baselineMs, ratio: subjectMs / baselineMs };
}
