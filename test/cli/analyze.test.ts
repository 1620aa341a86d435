import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { racecheck, root } from './cli-helpers.js';

/** A throwaway project that depends on racecheck, as a user's would (node_modules/racecheck → this repo). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'racecheck-analyze-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'racecheck'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const neverReleased = "import { Lock } from 'racecheck/primitives';\nexport function f(lock: Lock) {\n  lock.acquire();\n  return 1;\n}\n";

describe('racecheck analyze', () => {
  it('finds the static-visible bug of the subjects and nothing in their fixed programs', async () => {
    const result = await racecheck(['analyze', 'fixtures', '--format', 'json']);
    const files = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    const found = files.flatMap((f) => f.messages.map((m) => `${f.filePath.slice(root.length)}:${m.line} ${m.ruleId}`));
    for (const bug of [
      'fixtures/starvation/starvation.ts:9 lock-not-released',
      'fixtures/bank-account/bank-buggy.ts:13 shared-write-outside-lock',
      'fixtures/bank-account/bank-buggy.ts:21 shared-write-outside-lock',
      'fixtures/printer/printer-buggy.ts:12 shared-write-outside-lock',
      'fixtures/raytracer/raytracer-buggy.ts:15 shared-write-outside-lock',
      'fixtures/url-fetcher/url-fetcher-buggy.ts:12 shared-write-outside-lock',
      'fixtures/producer-consumer/producer-consumer-buggy.ts:30 shared-write-outside-lock',
    ]) {
      expect(found).toContain(bug);
    }
    expect(found.filter((f) => /fixed|hello-threads|events\.ts|work-queue|pipe-master/.test(f))).toEqual([]);
    expect(result.code).toBe(1);
  });

  it('reports a file that does not parse and analyzes the rest', async () => {
    const dir = project({ 'good.ts': neverReleased, 'bad.ts': 'const x = ;\n' });
    const result = await racecheck(['analyze', dir, '--format', 'json'], { cwd: root });
    const files = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; message: string }[] }[];
    const byFile = Object.fromEntries(files.map((f) => [f.filePath.split('/').pop(), f.messages.map((m) => m.ruleId)]));
    expect(byFile).toEqual({ 'bad.ts': ['parse-error'], 'good.ts': ['lock-not-released'] });
    expect(result.code).toBe(1);
  });

  it('exits 2 when nothing could be analyzed', async () => {
    const dir = project({ 'bad.ts': 'function (\n' });
    const result = await racecheck(['analyze', dir, '--format', 'json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)[0].messages[0].ruleId).toBe('parse-error');
  });

  it('reads ./tsconfig.json by default, honours --no-rule and suppression comments', async () => {
    const dir = project({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }),
      'src/a.ts': neverReleased,
      'src/b.ts': neverReleased.replace('  lock.acquire();', '  // racecheck-disable-next-line lock-not-released -- handed to the caller\n  lock.acquire();'),
    });
    const all = await racecheck(['analyze', '--format', 'json'], { cwd: dir });
    const files = JSON.parse(all.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    expect(files.map((f) => `${f.filePath.split('/').pop()} ${f.messages.map((m) => m.ruleId).join(',')}`)).toEqual(['a.ts lock-not-released']);
    const without = await racecheck(['analyze', '--no-rule', 'lock-not-released', '--no-color'], { cwd: dir });
    expect(without.stdout).toContain('✔ no races or deadlocks found');
    expect(without.code).toBe(0);
  });

  it('a missing path or tsconfig is one line and exit 2', async () => {
    const missing = await racecheck(['analyze', 'no/such/dir']);
    expect(missing.stderr).toBe('racecheck: error RACECHECK_FILE_ACCESS: path not found: no/such/dir\n');
    expect(missing.code).toBe(2);
    const noConfig = await racecheck(['analyze'], { cwd: tmpdir() });
    expect(noConfig.stderr).toMatch(/^racecheck: error RACECHECK_\w+: no tsconfig\.json in .*: name files or folders to analyze, or pass --project\n$/);
    expect(noConfig.code).toBe(2);
    const badProject = await racecheck(['analyze', '--project', 'nope.json']);
    expect(badProject.stderr).toBe('racecheck: error RACECHECK_FILE_ACCESS: tsconfig not found: nope.json\n');
  });
});
