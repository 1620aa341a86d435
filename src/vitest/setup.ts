/**
 * Runs in each test file's worker (thread or process): starts a traced session there (without the
 * deadlock watchdog: vitest's own timeout fails a deadlocked test), and after each test analyzes what was
 * traced so far. Findings not seen before belong to the test that just ran: their second access (or
 * closing acquisition) happened in it. They fail it, as an error thrown from afterEach does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, expect } from 'vitest';
import type { Finding } from '../core/findings.js';
import type { RuleId } from '../core/rules.js';
import { flushSession, sessionRecords, startSession } from '../api/session.js';
import { OPTIONS_ENV, type MatcherOptions, type WorkerOptions } from './index.js';

const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as WorkerOptions;
const rules = options.rules ? new Set<RuleId>(options.rules) : undefined;
const failing = (finding: Finding): boolean => options.failOn === 'warning' || finding.severity === 'error';
const tracePath = join(tmpdir(), `racecheck-vitest-${process.pid}-${threadId}-${Date.now()}.trace`);
const cwd = process.cwd();

startSession({ tracePath, watchdog: false, meta: { program: 'vitest', pid: process.pid } });

/** The analysis is loaded on first need: most test files never trace anything worth analyzing. */
let analysis: Promise<{ analyzeTraceFile: typeof import('../api/analyze.js').analyzeTraceFile; stylish: typeof import('../api/report.js').FORMATTERS.stylish.format }> | undefined;
function loadAnalysis(): NonNullable<typeof analysis> {
  analysis ??= Promise.all([import('../api/analyze.js'), import('../api/report.js')]).then(([a, f]) => ({
    analyzeTraceFile: a.analyzeTraceFile,
    stylish: f.FORMATTERS.stylish.format,
  }));
  return analysis;
}

/** How many times each finding had happened at the last look. */
const seen = new Map<string, number>();

/**
 * Findings that happened (again) since the last look: new ones, and known ones whose count grew — a race
 * that two tests both run fails both. Thread leaks are a matter for the whole file.
 */
/** Records written at the last look; the session's start is not news. */
let recordsSeen = sessionRecords();
let lastFindings: Finding[] = [];

async function newFindings(): Promise<Finding[]> {
  // Nothing traced since the last look (most tests touch no primitive): nothing new to find.
  const records = sessionRecords();
  if (records === recordsSeen) {
    for (const finding of lastFindings) seen.set(keyOf(finding), finding.count);
    return [];
  }
  recordsSeen = records;
  flushSession();
  const { analyzeTraceFile } = await loadAnalysis();
  const report = analyzeTraceFile(tracePath, { cwd, ...(rules ? { rules } : {}) });
  lastFindings = report.findings.filter((finding) => finding.ruleId !== 'thread-leak');
  const fresh: Finding[] = [];
  for (const finding of lastFindings) {
    const key = keyOf(finding);
    if (finding.count > (seen.get(key) ?? 0)) fresh.push(finding);
    seen.set(key, finding.count);
  }
  return fresh;
}

function keyOf(finding: Finding): string {
  return `${finding.ruleId}:${finding.fingerprint}:${finding.location?.line}`;
}

async function describeFindings(findings: Finding[]): Promise<string> {
  const { stylish } = await loadAnalysis();
  return `racecheck found ${findings.length} problem${findings.length === 1 ? '' : 's'}:\n${stylish({ version: 1, findings, cwd }, { color: false, version: '' })}`;
}

afterEach(async () => {
  const found = (await newFindings()).filter(failing);
  if (found.length > 0) throw new Error(await describeFindings(found));
});

afterAll(async () => {
  if (options.partsDir && sessionRecords() > 0) {
    // Everything this file traced, for the run's report (written by the global setup's teardown).
    flushSession();
    const { analyzeTraceFile } = await loadAnalysis();
    const report = analyzeTraceFile(tracePath, { cwd, ...(rules ? { rules } : {}) });
    mkdirSync(options.partsDir, { recursive: true });
    writeFileSync(join(options.partsDir, `${process.pid}-${threadId}-${Date.now()}.json`), JSON.stringify(report.findings));
  }
  const found = (await newFindings()).filter(failing);
  if (found.length > 0) throw new Error(`outside any test (module load or hooks): ${await describeFindings(found)}`);
});

expect.extend({
  /** `await expect(fn).toBeRaceFree()`: running fn produced no race or deadlock finding. */
  async toBeRaceFree(received: () => unknown) {
    await newFindings();
    await received();
    const found = await newFindings();
    const description = found.length === 0 ? 'expected a race or deadlock, found none' : await describeFindings(found);
    return { pass: found.length === 0, message: () => description };
  },
  /** `await expect(fn).toHaveRace({ rule })`: running fn produced a finding (of that rule). */
  async toHaveRace(received: () => unknown, expected: MatcherOptions = {}) {
    await newFindings();
    await received();
    const found = await newFindings();
    const matching = found.filter((f) => !expected.rule || f.ruleId === expected.rule);
    const description =
      matching.length > 0
        ? `expected no ${expected.rule ?? 'race'}, but:\n${await describeFindings(matching)}`
        : `expected a ${expected.rule ?? 'race or deadlock'} finding, found ${found.length === 0 ? 'none' : await describeFindings(found)}`;
    return { pass: matching.length > 0, message: () => description };
  },
});
