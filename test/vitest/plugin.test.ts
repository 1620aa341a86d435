/**
 * The vitest plugin on a throwaway sample project (test/vitest-sample, its own vitest config using
 * racecheck/vitest), run as a child process with each pool.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempPath } from '../tracer/trace-helpers.js';

const sample = fileURLToPath(new URL('../vitest-sample/', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

interface Result {
  title: string;
  status: string;
  failureMessages: string[];
}

function runSample(pool: 'threads' | 'forks', sarifReport?: string): Map<string, Result> {
  const output = tempPath(`vitest-${pool}.json`);
  spawnSync(process.execPath, [vitest, 'run', '--pool', pool, '--reporter', 'json', '--outputFile', output], {
    cwd: sample,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...(sarifReport ? { SAMPLE_REPORT: sarifReport } : {}) },
  });
  const report = JSON.parse(readFileSync(output, 'utf8')) as { testResults: { assertionResults: Result[] }[] };
  return new Map(report.testResults.flatMap((file) => file.assertionResults.map((result) => [result.title, result])));
}

describe.each(['threads', 'forks'] as const)('racecheck/vitest with the %s pool', (pool) => {
  it('fails the racing test with the race, and only it; writes every finding of the run as SARIF', () => {
    const sarif = tempPath(`racecheck-${pool}.sarif`);
    const results = runSample(pool, sarif);
    const races = results.get('races')!;
    expect(races.status).toBe('failed');
    expect(races.failureMessages[0]).toContain('racecheck found');
    expect(races.failureMessages[0]).toMatch(/workers\.ts\n {2}5:\d+ +error +Data race on shared memory/);
    expect(races.failureMessages[0]).toMatch(/↳ workers\.ts:5:\d+ {2}conflicting (read|write) by thread/);
    for (const passing of ['is fixed with a lock', 'is unrelated', 'asserts that a fixed bug stays fixed', 'asserts that a known race is there', 'still runs the other tests']) {
      expect(results.get(passing)?.status, passing).toBe('passed');
    }
    // The deadlocked test fails at the configured timeout instead of hanging the run.
    expect(results.get('deadlocks')?.status).toBe('failed');
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toContain('data-race');
  });
});
