/** 200 trivial tests with the racecheck/vitest plugin ÷ without, each run a fresh vitest process. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Metrics } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function project(withPlugin: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'racecheck-vitest-bench-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'racecheck'), 'dir');
  symlinkSync(join(root, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', type: 'module', private: true }));
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    withPlugin
      ? "import { defineConfig } from 'vitest/config';\nimport racecheck from 'racecheck/vitest';\nexport default defineConfig({ plugins: [racecheck()], test: { include: ['*.test.mjs'] } });\n"
      : "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['*.test.mjs'] } });\n",
  );
  for (let file = 0; file < 4; file++) {
    const tests = Array.from({ length: 50 }, (_, i) => `it('test ${i}', () => { expect(${i} + 1).toBe(${i + 1}); });`).join('\n');
    writeFileSync(join(dir, `trivial-${file}.test.mjs`), `import { expect, it } from 'vitest';\n${tests}\n`);
  }
  return dir;
}

function timeRun(dir: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vitest failed:\n${result.stdout}\n${result.stderr}`);
  return performance.now() - start;
}

export async function run(): Promise<Metrics> {
  const plain = project(false);
  const traced = project(true);
  try {
    timeRun(plain);
    timeRun(traced);
    const plainTimes: number[] = [];
    const tracedTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      plainTimes.push(timeRun(plain));
      tracedTimes.push(timeRun(traced));
    }
    return {
      'vitest.plugin.ratio': {
        value: median(tracedTimes) / median(plainTimes),
        unit: 'x',
        baseline: 'vitest run of 200 trivial tests in 4 files with plugins: [racecheck()] / without, whole process wall time (goal <= 1.2)',
      },
    };
  } finally {
    rmSync(plain, { recursive: true, force: true });
    rmSync(traced, { recursive: true, force: true });
  }
}
