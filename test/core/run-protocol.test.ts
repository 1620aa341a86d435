/** The traced run's settings survive their trip through the environment, and only a traced run decodes any. */
import { describe, expect, it } from 'vitest';
import { decodeRunSettings, encodeRunSettings, RUN_ENVIRONMENT, type RunSettings } from '../../src/core/run-protocol.js';

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
