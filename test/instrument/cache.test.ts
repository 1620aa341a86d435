/**
 * The cache of instrumented modules: filled by one run, read by the next (the cached code is what runs),
 * keyed by the source, never used from a directory others can write to, and off with --no-cache.
 */
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { racecheck, splitJsonRun } from '../cli/cli-helpers.js';

const made: string[] = [];

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'racecheck-cache-test-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.js')) : []);

describe('the cache of instrumented modules', () => {
  it('is filled by a run and read by the next: the cached code is what runs, with the same findings', async () => {
    const cache = join(scratch(), 'cache');
    const first = await racecheck(['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(splitJsonRun(first.stdout).findings).toEqual(['data-race:10']);
    // One module, loaded by the main thread and by two workers (each with a loader thread of its own).
    expect(entries(cache)).toHaveLength(1);
    // What the next run executes comes from the entry, not from a new transform.
    for (const name of entries(cache)) appendFileSync(join(cache, name), '\nconsole.log("from the cache");\n');
    const second = await racecheck(['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    const { programOutput, findings } = splitJsonRun(second.stdout);
    expect(findings).toEqual(['data-race:10']);
    expect(programOutput.match(/from the cache/g)).toHaveLength(3);
    expect(entries(cache)).toHaveLength(1);
  });

  it('serves CommonJS modules too', async () => {
    const cache = join(scratch(), 'cache');
    const args = ['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/cjs-counter-race.cjs'];
    expect(splitJsonRun((await racecheck(args)).stdout).findings).toEqual(['data-race:13']);
    expect(entries(cache)).toHaveLength(1);
    expect(splitJsonRun((await racecheck(args)).stdout).findings).toEqual(['data-race:13']);
  });

  it('keys entries by the source: an edited module is instrumented again, and its new lines reported', async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    const program = join(dir, 'counter.mjs');
    copyFileSync('test/instrument/programs/counter-race.mjs', program);
    expect(splitJsonRun((await racecheck(['run', '--format', 'json', '--cache-dir', cache, program])).stdout).findings).toEqual(['data-race:10']);
    writeFileSync(program, `// one line more\n${readFileSync(program, 'utf8')}`);
    const edited = await racecheck(['run', '--format', 'json', '--cache-dir', cache, program]);
    expect(splitJsonRun(edited.stdout).findings).toEqual(['data-race:11']);
    expect(entries(cache)).toHaveLength(2);
  });

  it('loses entries older than 30 days and temporary files left behind, looking at most once a day', async () => {
    const cache = join(scratch(), 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    const yesterday = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    const plant = (name: string, when: Date): void => {
      writeFileSync(join(cache, name), '// old');
      utimesSync(join(cache, name), when, when);
    };
    plant('old.js', longAgo);
    plant('recent.js', yesterday);
    plant('left.js.1-1.tmp', yesterday);
    await racecheck(['run', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(readdirSync(cache).sort()).toEqual(['.pruned', entries(cache).find((name) => name.length > 20)!, 'recent.js'].sort());
    // Pruned today: an entry that has grown old meanwhile stays until tomorrow's look.
    plant('old.js', longAgo);
    await racecheck(['run', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(existsSync(join(cache, 'old.js'))).toBe(true);
  });

  it('is not used from a directory other users can write to', async () => {
    const cache = join(scratch(), 'shared');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const run = await racecheck(['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(splitJsonRun(run.stdout).findings).toEqual(['data-race:10']);
    expect(entries(cache)).toEqual([]);
  });

  it('is neither written nor read with --no-cache', async () => {
    const cache = join(scratch(), 'cache');
    const run = await racecheck(['run', '--format', 'json', '--no-cache', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(splitJsonRun(run.stdout).findings).toEqual(['data-race:10']);
    expect(existsSync(cache)).toBe(false);
  });

  it('keeps no entry for a module the transform cannot parse: the warning comes on every run', async () => {
    const cache = join(scratch(), 'cache');
    const args = ['run', '--cache-dir', cache, 'test/instrument/programs/import-assertion.mjs'];
    for (let run = 0; run < 2; run++) {
      const { stderr } = await racecheck(args);
      expect(stderr).toMatch(/warning: .*import-assertion\.mjs is not instrumented/);
    }
    expect(entries(cache)).toEqual([]);
  });
});
