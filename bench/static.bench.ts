/**
 * Static analysis of a generated 50,000-line TypeScript project (many files of async and worker code) ÷
 * `tsc --noEmit` on the same project, in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeProject } from '../src/static/analyze.js';
import { median, type Metrics } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

/** One module of about 200 lines: shared state, locks, async updates, thread code, a worker pool. */
function moduleSource(i: number): string {
  const lines = [
    `import { isMainThread } from 'node:worker_threads';`,
    `import { Condition, Event, Lock, Queue, Thread, track } from 'racecheck/primitives';`,
    `import { helper${(i + 1) % 250} } from './module-${(i + 1) % 250}.js';`,
    ``,
    `const lockA${i} = new Lock();`,
    `const lockB${i} = new Lock();`,
    `let total${i} = 0;`,
    `export const state${i} = { hits: 0, names: [] as string[] };`,
    ``,
    `export function helper${i}(n: number): number {`,
    `  return n * ${i} + 1;`,
    `}`,
  ];
  for (let f = 0; f < 8; f++) {
    lines.push(
      ``,
      `export async function update${i}_${f}(delta: number): Promise<number> {`,
      `  const before = total${i};`,
      `  const fetched = await Promise.resolve(delta + helper${(i + 1) % 250}(${f}));`,
      `  await lockA${i}.withLockAsync(async () => {`,
      `    total${i} = total${i} + fetched;`,
      `    state${i}.hits += 1;`,
      `  });`,
      `  if (before > 1000) {`,
      `    return before;`,
      `  }`,
      `  return fetched;`,
      `}`,
      ``,
      `export function work${i}_${f}(counter: Int32Array, lock: Lock, times: number): void {`,
      `  for (let k = 0; k < times; k++) {`,
      `    lock.withLock(() => {`,
      `      counter[0] = counter[0]! + 1;`,
      `    });`,
      `  }`,
      `}`,
    );
  }
  lines.push(
    ``,
    `export function take${i}(condition: Condition, items: number[]): number | undefined {`,
    `  condition.acquire();`,
    `  try {`,
    `    while (items.length === 0) condition.wait(100);`,
    `    return items.pop();`,
    `  } finally {`,
    `    condition.release();`,
    `  }`,
    `}`,
    ``,
    `export async function pool${i}(): Promise<number> {`,
    `  const counter = track(new Int32Array(new SharedArrayBuffer(4)));`,
    `  const lock = new Lock();`,
    `  const done = new Event();`,
    `  const queue = new Queue<number>();`,
    `  const threads = [1, 2, 3].map(() => new Thread({ target: work${i}_0, args: [counter, lock, 10] }));`,
    `  for (const thread of threads) thread.start();`,
    `  for (const thread of threads) await thread.joinAsync();`,
    `  lockA${i}.withLock(() => lockB${i}.withLock(() => queue.put(counter[0]!)));`,
    `  done.set();`,
    `  return queue.getNowait();`,
    `}`,
    ``,
    `if (isMainThread && process.argv[2] === 'module-${i}') {`,
    `  await pool${i}();`,
    `}`,
  );
  return `${lines.join('\n')}\n`;
}

export function generate(): { dir: string; lines: number } {
  const dir = mkdtempSync(join(tmpdir(), 'racecheck-50kloc-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'racecheck'), 'dir');
  symlinkSync(join(root, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'generated', type: 'module', private: true }));
  let lines = 0;
  for (let i = 0; i < 250; i++) {
    const source = moduleSource(i);
    lines += source.split('\n').length - 1;
    writeFileSync(join(dir, 'src', `module-${i}.ts`), source);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: ['node'], noEmit: true }, include: ['src'] }),
  );
  return { dir, lines };
}

export async function run(): Promise<Metrics> {
  const { dir, lines } = generate();
  try {
    const tscTimes: number[] = [];
    const analyzeTimes: number[] = [];
    let findings = 0;
    for (let round = 0; round < 3; round++) {
      let start = performance.now();
      const check = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      if (check.status !== 0) throw new Error(`tsc failed on the generated project:\n${check.stdout.slice(0, 2000)}`);
      tscTimes.push(performance.now() - start);
      start = performance.now();
      findings = analyzeProject({ cwd: dir, tsconfig: join(dir, 'tsconfig.json') }).findings.length;
      analyzeTimes.push(performance.now() - start);
    }
    const rss = process.resourceUsage().maxRSS / 1024;
    return {
      'static.50kloc.ratio_vs_tsc': {
        value: median(analyzeTimes) / median(tscTimes),
        unit: 'x',
        baseline: `racecheck analyze (in process, ${findings} findings) / tsc --noEmit (a child process) on a generated project of ${lines} lines in 250 files (goal <= 1.5)`,
      },
      'static.50kloc.peak_rss.MB': {
        value: rss,
        unit: 'MB',
        baseline: 'peak RSS of the benchmark process after analyzing the 50,000-line project three times',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
