/** The ray tracer's wall time with tracing on ÷ off (issue: tracer), each run a fresh process. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, type Metrics } from './harness.js';

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const preload = pathToFileURL(fileURLToPath(new URL('../dist/session/preload.js', import.meta.url))).href;
const program = fileURLToPath(new URL('../fixtures/raytracer/raytracer-fixed.ts', import.meta.url));
const args = [program, '--threads', '2', '--width', '640', '--height', '480'];

function timeRun(traced: boolean): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', tsx, ...(traced ? ['--import', preload] : []), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...(traced ? { RACECHECK_TRACE: join(tmpdir(), `racecheck-bench-${process.pid}.trace`) } : {}) },
  });
  if (result.status !== 0) throw new Error(`ray tracer failed: ${result.stderr}`);
  return performance.now() - start;
}

export async function run(): Promise<Metrics> {
  timeRun(false);
  timeRun(true);
  const plain: number[] = [];
  const traced: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push(timeRun(false));
    traced.push(timeRun(true));
  }
  return {
    'raytracer.trace_overhead.ratio': {
      value: median(traced) / median(plain),
      unit: 'x',
      baseline: `fixtures/raytracer (640x480, 2 threads, serial + parallel render) with tracing (racecheck's preload) / without, whole process wall time (goal <= 1.10)`,
    },
  };
}
