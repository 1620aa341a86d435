/**
 * Instrumentation of unmodified programs: wall time and peak memory of `racecheck run` (trace, collector,
 * instrumentation and the analysis that follows) ÷ plain `node`, same program, alternating rounds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, type Metrics } from './harness.js';

const bin = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const rssReporter = pathToFileURL(fileURLToPath(new URL('./programs/report-rss.mjs', import.meta.url))).href;
const kernel = fileURLToPath(new URL('./programs/kernel.mjs', import.meta.url));
const raytracer = fileURLToPath(new URL('./programs/raytracer-plain.mjs', import.meta.url));
const KERNEL_N = '700';
const RAYTRACER = { RAYTRACER_WIDTH: '960', RAYTRACER_HEIGHT: '720' };
const RAYTRACER_LARGE = { RAYTRACER_WIDTH: '1920', RAYTRACER_HEIGHT: '1440' };

interface Run {
  ms: number;
  /** Largest peak RSS among the processes of the run (racecheck's CLI and the program it starts), in MB. */
  peakRssMb: number;
}

/** How a program is run: plain node, under racecheck run, or under racecheck run without instrumentation. */
type Mode = 'plain' | 'traced' | 'uninstrumented';

function runOnce(program: string, mode: Mode, env: Record<string, string>): Run {
  const rssFile = join(tmpdir(), `racecheck-bench-rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const args = mode === 'plain' ? [program] : [bin, 'run', ...(mode === 'uninstrumented' ? ['--no-instrument'] : []), program];
  const start = performance.now();
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env, NODE_OPTIONS: `--import ${rssReporter}`, RACECHECK_BENCH_RSS: rssFile },
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr}`);
  const peaks = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
  return { ms, peakRssMb: Math.max(...peaks) / 1024 };
}

function compareRuns(program: string, env: Record<string, string>, rounds: number, mode: Mode = 'traced'): { ratio: number; rssRatio: number; plainMs: number } {
  runOnce(program, 'plain', env);
  runOnce(program, mode, env);
  const plain: Run[] = [];
  const traced: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(runOnce(program, 'plain', env));
    traced.push(runOnce(program, mode, env));
  }
  const plainMs = median(plain.map((r) => r.ms));
  return {
    ratio: median(traced.map((r) => r.ms)) / plainMs,
    rssRatio: median(traced.map((r) => r.peakRssMb)) / median(plain.map((r) => r.peakRssMb)),
    plainMs,
  };
}

export async function run(): Promise<Metrics> {
  const ray = compareRuns(raytracer, RAYTRACER, 3);
  // What the ray tracer's ratio is made of: the same run without instrumentation (the fixed cost of a
  // traced run), and a four times larger image (where that fixed cost weighs less).
  const rayFloor = compareRuns(raytracer, RAYTRACER, 3, 'uninstrumented');
  const rayLarge = compareRuns(raytracer, RAYTRACER_LARGE, 3);
  const kern = compareRuns(kernel, { KERNEL_N }, 3);
  return {
    'instrument.raytracer.ratio': {
      value: ray.ratio,
      unit: 'x',
      baseline: `bench/programs/raytracer-plain.mjs (${RAYTRACER.RAYTRACER_WIDTH}x${RAYTRACER.RAYTRACER_HEIGHT}, 2 worker threads, no racecheck primitives; plain node ${ray.plainMs.toFixed(0)} ms): racecheck run wall time, analysis included / plain node (goal <= 1.5)`,
    },
    'instrument.raytracer.uninstrumented.ratio': {
      value: rayFloor.ratio,
      unit: 'x',
      baseline: `the same ray tracer under racecheck run --no-instrument / plain node (plain ${rayFloor.plainMs.toFixed(0)} ms): what a traced run costs before any instrumentation (CLI, session, collector, analysis)`,
    },
    'instrument.raytracer.large.ratio': {
      value: rayLarge.ratio,
      unit: 'x',
      baseline: `the ray tracer at ${RAYTRACER_LARGE.RAYTRACER_WIDTH}x${RAYTRACER_LARGE.RAYTRACER_HEIGHT} (plain node ${rayLarge.plainMs.toFixed(0)} ms): racecheck run / plain node, with the fixed cost a smaller part`,
    },
    'instrument.kernel.ratio': {
      value: kern.ratio,
      unit: 'x',
      baseline: `bench/programs/kernel.mjs (C = A x B^T, n = ${KERNEL_N}, 2 worker threads, every inner-loop access a shared Float64Array element; plain node ${kern.plainMs.toFixed(0)} ms): racecheck run wall time, analysis included / plain node (goal <= 8)`,
    },
    'instrument.rss.ratio': {
      value: kern.rssRatio,
      unit: 'x',
      baseline: 'the kernel run: largest peak RSS among racecheck run\'s processes (CLI with its analysis, traced program) / plain node\'s peak RSS (goal <= 3)',
    },
  };
}
