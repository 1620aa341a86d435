/**
 * racecheck attacked as a second local user would, and misused as a careless user would: it must neither
 * run code it did not write, nor delete or overwrite what it did not make, nor be led by a trace to read
 * what is not a source. Cases that need another uid hand files to uid 4242 (chown works by number; CI runs
 * as root) and are skipped, saying why, where this process cannot.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { racecheck, root, scratchDirectories, splitJsonRun } from '../cli/cli-helpers.js';

const OTHER_UID = 4242;
const canChown = process.getuid?.() === 0;
const program = join(root, 'test/instrument/programs/counter-race.mjs');
const scratch = scratchDirectories('racecheck-attack-');

/** A cache as racecheck made it, with one entry for `program`. */
async function filledCache(): Promise<{ cache: string; entry: string }> {
  const cache = join(scratch(), 'cache');
  await racecheck(['run', '--cache-dir', cache, program]);
  const entry = readdirSync(cache).find((name) => /^[0-9a-f]{64}\.js$/.test(name));
  if (!entry) throw new Error('the run left no cache entry');
  return { cache, entry };
}

/** An entry's text with code of the attacker's inside. */
function planted(cache: string, entry: string): string {
  return `${readFileSync(join(cache, entry), 'utf8')}\nrequire('node:fs').writeFileSync(${JSON.stringify(join(cache, '..', 'pwned'))}, 'ran');\n`;
}

const pwned = (cache: string): boolean => existsSync(join(cache, '..', 'pwned'));

describe('the cache, attacked', () => {
  it('a symlink planted where the cache goes: not followed, the target neither read nor pruned', async () => {
    const dir = scratch();
    const victim = join(dir, 'home');
    mkdirSync(victim);
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    writeFileSync(join(victim, '.bashrc'), 'mine');
    utimesSync(join(victim, '.bashrc'), old, old);
    symlinkSync(victim, join(dir, 'cache'));
    const run = await racecheck(['run', '--format', 'json', '--cache-dir', join(dir, 'cache'), program]);
    expect(splitJsonRun(run.stdout).findings).toEqual(['data-race:10']);
    expect(run.stderr).toMatch(/racecheck: warning: the cache directory .* is not this user's alone/);
    expect(readdirSync(victim)).toEqual(['.bashrc']);
  });

  it('an entry swapped for a symlink to code of the attacker: not followed, not run', async () => {
    const { cache, entry } = await filledCache();
    const elsewhere = join(cache, '..', 'evil.js');
    writeFileSync(elsewhere, planted(cache, entry));
    rmSync(join(cache, entry));
    symlinkSync(elsewhere, join(cache, entry));
    await racecheck(['run', '--cache-dir', cache, program]);
    expect(pwned(cache)).toBe(false);
  });

  it('an entry rewritten with the header kept: its keyed hash fails, it is not run', async () => {
    const { cache, entry } = await filledCache();
    writeFileSync(join(cache, `${entry}.new`), planted(cache, entry), { mode: 0o600 });
    renameSync(join(cache, `${entry}.new`), join(cache, entry));
    const run = await racecheck(['run', '--cache-dir', cache, program]);
    expect(pwned(cache)).toBe(false);
    expect(run.stderr).toMatch(/failed its check/);
  });

  it('an entry another user can write to: not run', async () => {
    const { cache, entry } = await filledCache();
    writeFileSync(join(cache, entry), planted(cache, entry));
    chmodSync(join(cache, entry), 0o666);
    await racecheck(['run', '--cache-dir', cache, program]);
    expect(pwned(cache)).toBe(false);
  });

  it('a key file others can read: the cache is not used', async () => {
    const { cache } = await filledCache();
    chmodSync(join(cache, '.racecheck-key'), 0o644);
    const run = await racecheck(['run', '--cache-dir', cache, program]);
    expect(run.stderr).toMatch(/the cache key in .* is not a private file/);
  });

  it.skipIf(!canChown)('as another uid (needs root, as CI runs): a cache directory another user owns (created first, under the expected name): not used, nothing in it run or removed', async () => {
    const { cache, entry } = await filledCache();
    writeFileSync(join(cache, entry), planted(cache, entry), { mode: 0o600 });
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    for (const name of readdirSync(cache)) {
      chownSync(join(cache, name), OTHER_UID, OTHER_UID);
      utimesSync(join(cache, name), old, old);
    }
    chownSync(cache, OTHER_UID, OTHER_UID);
    const before = readdirSync(cache).sort();
    const run = await racecheck(['run', '--format', 'json', '--cache-dir', cache, program]);
    expect(splitJsonRun(run.stdout).findings).toEqual(['data-race:10']);
    expect(pwned(cache)).toBe(false);
    expect(readdirSync(cache).sort()).toEqual(before);
  });

  it.skipIf(!canChown)("as another uid (needs root, as CI runs): an entry another user owns, in the user's own cache: not run", async () => {
    const { cache, entry } = await filledCache();
    writeFileSync(join(cache, entry), planted(cache, entry), { mode: 0o600 });
    chownSync(join(cache, entry), OTHER_UID, OTHER_UID);
    await racecheck(['run', '--cache-dir', cache, program]);
    expect(pwned(cache)).toBe(false);
  });

  it("tsx's cache directory made by someone else, writable by all: tsx runs without it, with a warning", async () => {
    const temporary = scratch();
    const uid = process.getuid?.() ?? 0;
    mkdirSync(join(temporary, `tsx-${uid}`));
    chmodSync(join(temporary, `tsx-${uid}`), 0o777);
    const run = await racecheck(['run', join(root, 'fixtures/hello-threads/hello-threads.ts')], { env: { TMPDIR: temporary } });
    expect(run.stderr).toMatch(/racecheck: warning: tsx's cache directory .*tsx-\d+ is not this user's alone: TypeScript is compiled without it/);
    expect(readdirSync(join(temporary, `tsx-${uid}`))).toEqual([]);
    expect(run.code).toBe(0);
  });
});

describe('traces, misused', () => {
  it('--trace naming the program itself: refused, the program untouched', async () => {
    const dir = scratch();
    const copy = join(dir, 'app.mjs');
    writeFileSync(copy, readFileSync(program));
    const run = await racecheck(['run', '--trace', copy, copy]);
    expect(run.stderr).toMatch(/^racecheck: error RACECHECK_FILE_ACCESS: --trace .*app\.mjs exists and is not a racecheck trace: racecheck does not overwrite it\n$/);
    expect(run.code).toBe(2);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(program, 'utf8'));
  });

  it('--trace naming a symlink: refused, its target untouched', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'precious'), 'mine');
    symlinkSync(join(dir, 'precious'), join(dir, 'run.trace'));
    const run = await racecheck(['run', '--trace', join(dir, 'run.trace'), program]);
    expect(run.stderr).toMatch(/is a symbolic link: racecheck does not write a trace through one/);
    expect(run.code).toBe(2);
    expect(readFileSync(join(dir, 'precious'), 'utf8')).toBe('mine');
  });

  it('--trace over an earlier trace: written again', async () => {
    const trace = join(scratch(), 'run.trace');
    expect((await racecheck(['run', '--trace', trace, program])).code).toBe(1);
    expect((await racecheck(['run', '--trace', trace, program])).code).toBe(1);
    expect((await racecheck(['report', trace])).code).toBe(1);
  });

  it('a trace naming /dev/zero and a FIFO as sources: report reads neither and ends', async () => {
    const dir = scratch();
    const trace = join(dir, 'run.trace');
    await racecheck(['run', '--trace', trace, program]);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Same length as the real path, so the trace stays well-formed: only the names change.
    const bytes = readFileSync(trace);
    const real = Buffer.from(program);
    const aim = (target: string): Buffer => {
      const name = Buffer.alloc(real.length, '/');
      Buffer.from(target).copy(name, real.length - target.length);
      return name;
    };
    for (const target of [aim('/dev/zero'), aim(fifo)]) {
      const crafted = Buffer.from(bytes);
      for (let at = crafted.indexOf(real); at !== -1; at = crafted.indexOf(real, at + 1)) target.copy(crafted, at);
      writeFileSync(trace, crafted);
      const started = Date.now();
      const run = await racecheck(['report', trace]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(run.code).toBe(1);
    }
  });

  it('a FIFO or a device given as the trace: refused with one line', async () => {
    const fifo = join(scratch(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero']) {
      const run = await racecheck(['report', path]);
      expect(run.stderr).toMatch(/^racecheck: error RACECHECK_FILE_ACCESS: cannot read the trace file .*: .* is not a regular file\n$/);
      expect(run.code).toBe(2);
    }
  });
});
