/**
 * The cache of instrumented modules: filled by one run, read by the next, keyed by the source, never used
 * from a directory others can write to or racecheck did not make, never running an entry it did not write,
 * pruning only its own entries, and off with --no-cache.
 */
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { racecheck, scratchDirectories, splitJsonRun } from '../cli/cli-helpers.js';

const scratch = scratchDirectories('racecheck-cache-test-');

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.js')) : []);

describe('the cache of instrumented modules', () => {
  it('is filled by a run and read by the next: the entry is used, not written again, with the same findings', async () => {
    const cache = join(scratch(), 'cache');
    const first = await racecheck(['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(splitJsonRun(first.stdout).findings).toEqual(['data-race:10']);
    // One module, loaded by the main thread and by two workers.
    expect(entries(cache)).toHaveLength(1);
    const [entry] = entries(cache);
    const past = new Date(Date.now() - 60 * 60 * 1000);
    utimesSync(join(cache, entry!), past, past);
    const second = await racecheck(['run', '--format', 'json', '--cache-dir', cache, 'test/instrument/programs/counter-race.mjs']);
    expect(splitJsonRun(second.stdout).findings).toEqual(['data-race:10']);
    expect(second.stderr).toBe('');
    expect(entries(cache)).toEqual([entry]);
    expect(statSync(join(cache, entry!)).mtimeMs).toBeLessThan(Date.now() - 30 * 60 * 1000);
  });

  it('never runs an entry edited by hand: it fails its keyed hash, is warned of and written anew', async () => {
    const cache = join(scratch(), 'cache');
    const program = 'test/instrument/programs/counter-race.mjs';
    await racecheck(['run', '--cache-dir', cache, program]);
    const [entry] = entries(cache);
    appendFileSync(join(cache, entry!), '\nconsole.log("planted");\n');
    const run = await racecheck(['run', '--format', 'json', '--cache-dir', cache, program]);
    const { programOutput, findings } = splitJsonRun(run.stdout);
    expect(programOutput).not.toContain('planted');
    expect(findings).toEqual(['data-race:10']);
    expect(run.stderr).toMatch(/^racecheck: warning: a cache entry in .* failed its check \(not written by racecheck for this user, or changed since\): it is not used$/m);
    expect(readFileSync(join(cache, entry!), 'utf8')).not.toContain('planted');
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

  it("removes only its own old entries and leftovers, once a day: never a user's file, a look-alike or a symlink's target", async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    const program = 'test/instrument/programs/counter-race.mjs';
    await racecheck(['run', '--cache-dir', cache, program]);
    const [entry] = entries(cache);
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    const age = (name: string, when = longAgo): void => utimesSync(join(cache, name), when, when);
    const hex = (digit: string): string => digit.repeat(64);
    // racecheck's: an old entry (a copy of a real one, header and all) and a temporary file a killed run left.
    copyFileSync(join(cache, entry!), join(cache, `${hex('a')}.js`));
    age(`${hex('a')}.js`);
    writeFileSync(join(cache, `${hex('b')}.js.1-1.tmp`), 'half');
    age(`${hex('b')}.js.1-1.tmp`);
    // Not racecheck's: a user's file, a file named like an entry without racecheck's header, and an entry name
    // that is a symlink to an old file outside.
    writeFileSync(join(cache, 'notes.txt'), 'mine');
    age('notes.txt');
    writeFileSync(join(cache, `${hex('c')}.js`), 'console.log("not an entry")');
    age(`${hex('c')}.js`);
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'precious');
    utimesSync(outside, longAgo, longAgo);
    symlinkSync(outside, join(cache, `${hex('d')}.js`));
    age('.pruned', new Date(Date.now() - 2 * 24 * 60 * 60 * 1000));
    await racecheck(['run', '--cache-dir', cache, program]);
    const names = readdirSync(cache);
    expect(names).not.toContain(`${hex('a')}.js`);
    expect(names).not.toContain(`${hex('b')}.js.1-1.tmp`);
    expect(names).toEqual(expect.arrayContaining([entry, 'notes.txt', `${hex('c')}.js`, `${hex('d')}.js`]));
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    // Pruned today: an entry that has grown old meanwhile stays until tomorrow's look.
    copyFileSync(join(cache, entry!), join(cache, `${hex('e')}.js`));
    age(`${hex('e')}.js`);
    await racecheck(['run', '--cache-dir', cache, program]);
    expect(existsSync(join(cache, `${hex('e')}.js`))).toBe(true);
  });

  it("is not used, and nothing in it removed, in a directory racecheck did not make (--cache-dir .)", async () => {
    const dir = scratch();
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    utimesSync(join(dir, 'notes.txt'), old, old);
    const run = await racecheck(['run', '--format', 'json', '--cache-dir', '.', join(process.cwd(), 'test/instrument/programs/counter-race.mjs')], { cwd: dir });
    expect(splitJsonRun(run.stdout).findings).toEqual(['data-race:10']);
    expect(run.stderr).toMatch(/racecheck: warning: .* is not a racecheck cache \(it holds other files\): instrumented modules are not cached there/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('--cache-dir needs a value', async () => {
    const run = await racecheck(['run', 'test/instrument/programs/counter-race.mjs', '--cache-dir']);
    expect(run.stderr).toMatch(/^racecheck: error RACECHECK_USAGE: Not enough arguments following: cache-dir\n$/);
    expect(run.code).toBe(2);
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
