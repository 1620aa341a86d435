/** The traced run's settings survive their trip through the environment, and only a traced run decodes any. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decodeRunSettings,
  encodeRunSettings,
  ENVIRONMENT_DATA,
  MESSAGING_GLOBAL_KEY,
  RUN_ENVIRONMENT,
  RUNTIME_GLOBAL_KEY,
  type RunSettings,
} from '../../src/core/run-protocol.js';

describe('the run protocol', () => {
  it.each<RunSettings>([
    { tracePath: '/tmp/a.trace', instrument: 'own', async: 'on' },
    { tracePath: '/tmp/b.trace', instrument: 'deps', async: 'off', deadlockGraceMs: 1500, timeoutMs: 30_000, cacheDir: '/home/u/.cache/x' },
    { tracePath: '/tmp/c.trace', instrument: 'off', async: 'on', cacheDir: null, laneRecords: 64, lanes: 4 },
  ])('round-trips %o', (settings) => {
    expect(decodeRunSettings(encodeRunSettings(settings))).toEqual(settings);
  });

  it('decodes nothing without a trace, and reads anything it does not know as the safe default', () => {
    expect(decodeRunSettings({})).toBeUndefined();
    expect(decodeRunSettings({ [RUN_ENVIRONMENT.trace]: '/t', [RUN_ENVIRONMENT.instrument]: 'everything', [RUN_ENVIRONMENT.async]: 'maybe' })).toEqual({
      tracePath: '/t',
      instrument: 'off',
      async: 'on',
    });
  });

  it('every variable is racecheck-prefixed and distinct', () => {
    const names = Object.values(RUN_ENVIRONMENT);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^RACECHECK_[A-Z_]+$/);
  });
});

describe('the run protocol is named in one place', () => {
  const src = fileURLToPath(new URL('../../src', import.meta.url));
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && file !== join('core', 'run-protocol.ts'));
  // Tool error codes (RACECHECK_INSTRUMENT is also a variable's name) are not the protocol's.
  const sources = files.map((file) => [file, readFileSync(join(src, file), 'utf8').replace(/tellFailure\('RACECHECK_\w+'/g, '')] as const);

  it('no other module spells out a variable, an environment-data key or a global key of it', () => {
    const names = [...Object.values(RUN_ENVIRONMENT), ...Object.values(ENVIRONMENT_DATA), RUNTIME_GLOBAL_KEY, MESSAGING_GLOBAL_KEY];
    const spelled = sources.flatMap(([file, text]) => names.filter((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`)).map((name) => `${file}: ${name}`));
    expect(spelled).toEqual([]);
  });

  it("every global symbol racecheck uses is the protocol's (Node's own aside)", () => {
    const literal = sources.flatMap(([file, text]) => [...text.matchAll(/Symbol\.for\((['"])([^'"]+)\1\)/g)].filter((match) => !match[2]!.startsWith('nodejs.')).map((match) => `${file}: ${match[2]}`));
    expect(literal).toEqual([]);
  });
});
