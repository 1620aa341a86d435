/**
 * Runs in each test file's worker (thread or process): starts a traced session there (without the
 * deadlock watchdog: vitest's own timeout fails a deadlocked test), and after each test analyzes what was
 * traced so far. Findings not seen before belong to the test that just ran: their second access (or
 * closing acquisition) happened in it. They fail it, as an error thrown from afterEach does.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, expect } from 'vitest';
import type { Finding } from '../core/findings.js';
import type { RuleId } from '../core/rules.js';
import { stylish } from '../report/formatters/stylish.js';
import { analyzeTraceFile } from '../session/analyze-file.js';
import { flushSession, startSession } from '../session/session.js';
import { OPTIONS_ENV, type MatcherOptions, type RacecheckVitestOptions } from './index.js';

const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as RacecheckVitestOptions;
const rules = options.rules ? new Set<RuleId>(options.rules) : undefined;
const failing = (finding: Finding): boolean => options.failOn === 'warning' || finding.severity === 'error';
const tracePath = join(tmpdir(), `racecheck-vitest-${process.pid}-${threadId}-${Date.now()}.trace`);
const cwd = process.cwd();

startSession({ tracePath, watchdog: false, meta: { program: 'vitest', pid: process.pid } });

/** How many times each finding had happened at the last look. */
const seen = new Map<string, number>();

/**
 * Findings that happened (again) since the last look: new ones, and known ones whose count grew — a race
 * that two tests both run fails both. Thread leaks are a matter for the whole file.
 */
function newFindings(): Finding[] {
  flushSession();
  const report = analyzeTraceFile(tracePath, { cwd, ...(rules ? { rules } : {}) });
  const fresh: Finding[] = [];
  for (const finding of report.findings) {
    if (finding.ruleId === 'thread-leak') continue;
    const key = `${finding.ruleId}:${finding.fingerprint}:${finding.location?.line}`;
    if (finding.count > (seen.get(key) ?? 0)) fresh.push(finding);
    seen.set(key, finding.count);
  }
  return fresh;
}

function describeFindings(findings: Finding[]): string {
  return `racecheck found ${findings.length} problem${findings.length === 1 ? '' : 's'}:\n${stylish({ version: 1, findings, cwd }, { color: false, version: '' })}`;
}

afterEach(() => {
  const found = newFindings().filter(failing);
  if (found.length > 0) throw new Error(describeFindings(found));
});

afterAll(() => {
  const found = newFindings().filter(failing);
  if (found.length > 0) throw new Error(`outside any test (module load or hooks): ${describeFindings(found)}`);
});

expect.extend({
  /** `await expect(fn).toBeRaceFree()`: running fn produced no race or deadlock finding. */
  async toBeRaceFree(received: () => unknown) {
    newFindings();
    await received();
    const found = newFindings();
    return {
      pass: found.length === 0,
      message: () => (found.length === 0 ? 'expected a race or deadlock, found none' : describeFindings(found)),
    };
  },
  /** `await expect(fn).toHaveRace({ rule })`: running fn produced a finding (of that rule). */
  async toHaveRace(received: () => unknown, expected: MatcherOptions = {}) {
    newFindings();
    await received();
    const found = newFindings();
    const matching = found.filter((f) => !expected.rule || f.ruleId === expected.rule);
    return {
      pass: matching.length > 0,
      message: () => (matching.length > 0 ? `expected no ${expected.rule ?? 'race'}, but:\n${describeFindings(matching)}` : `expected a ${expected.rule ?? 'race or deadlock'} finding, found ${found.length === 0 ? 'none' : describeFindings(found)}`),
    };
  },
});
