/**
 * Event-loop tracing: wall time of `racecheck run` (async tasks followed, analysis included) ÷ plain `node`,
 * on an async-heavy program, alternating rounds in the same run; and the same with `--async off`, to show
 * what following the event loop costs on top of a traced run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, type Metrics } from './harness.js';

const bin = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const program = fileURLToPath(new URL('./programs/async-heavy.mjs', import.meta.url));
const AWAITS = 100_000;

function timeOnce(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return ms;
}

export async function run(): Promise<Metrics> {
  const plainArgs = [program];
  const tracedArgs = [bin, 'run', program];
  const asyncOffArgs = [bin, 'run', '--async', 'off', program];
  for (const args of [plainArgs, tracedArgs, asyncOffArgs]) timeOnce(args);
  const plain: number[] = [];
  const traced: number[] = [];
  const asyncOff: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push(timeOnce(plainArgs));
    traced.push(timeOnce(tracedArgs));
    asyncOff.push(timeOnce(asyncOffArgs));
  }
  const plainMs = median(plain);
  const tracedMs = median(traced);
  const offMs = median(asyncOff);
  return {
    'async.overhead.ratio': {
      value: tracedMs / plainMs,
      unit: 'x',
      baseline: `bench/programs/async-heavy.mjs (100 tasks x 1,000 awaited lookups of a ~1 KB JSON record; plain node ${plainMs.toFixed(0)} ms): racecheck run wall time, analysis included / plain node (goal <= 3)`,
    },
    'async.off.ratio': {
      value: offMs / plainMs,
      unit: 'x',
      baseline: 'the same program under racecheck run --async off / plain node: the traced run without following the event loop',
    },
    'async.cost_per_await.us': {
      value: ((tracedMs - offMs) * 1000) / AWAITS,
      unit: 'us',
      baseline: `(racecheck run - racecheck run --async off) / ${AWAITS.toLocaleString('en')} awaited operations (two awaits and an async call each)`,
    },
  };
}
