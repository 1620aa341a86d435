/**
 * The in-process API (`racecheck/api`), used as a tool embedding racecheck would: the same findings as the
 * CLI for a traced run, a saved trace and a static analysis, in any format, through the package's export.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeProject, analyzeTraceFile, FORMATTERS, runTraced, STATIC_RULES } from 'racecheck/api';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'racecheck-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rulesAt = (findings: { ruleId: string | null; location?: { line: number } }[]): string[] =>
  [...new Set(findings.map((f) => `${f.ruleId}:${f.location?.line ?? 0}`))].sort();

describe('racecheck/api', () => {
  it('runTraced then analyzeTraceFile: the bank account race, as racecheck run reports it', async () => {
    const trace = join(scratch, 'bank.trace');
    const result = await runTraced({ entry: 'fixtures/bank-account/bank-buggy.ts', args: [], trace, cwd: root });
    expect(result.tracePath).toBe(trace);
    expect(result.run.exitCode).toBe(0);
    const report = analyzeTraceFile(trace, { cwd: root, run: result.run });
    expect(report.findings.some((f) => f.ruleId === 'data-race')).toBe(true);
    expect(report.run?.traceComplete).toBe(true);
    const json = JSON.parse(FORMATTERS.json.format(report, { color: false, version: 'test' })) as { messages: unknown[] }[];
    expect(json.flatMap((file) => file.messages).length).toBe(report.findings.length);
  });

  it('a correct program: nothing found', async () => {
    const trace = join(scratch, 'fixed.trace');
    const result = await runTraced({ entry: 'fixtures/bank-account/bank-fixed.ts', args: [], trace, cwd: root });
    expect(analyzeTraceFile(trace, { cwd: root, run: result.run }).findings).toEqual([]);
  });

  it('analyzeProject: the static rules over a folder — the buggy program flagged, the fixed one not', () => {
    const { report, analyzed } = analyzeProject({ cwd: root, paths: ['fixtures/bank-account'] });
    expect(analyzed).toBe(2);
    const files = new Set(report.findings.map((f) => f.location?.file.split('/').pop()));
    expect([...files]).toEqual(['bank-buggy.ts']);
    expect(report.findings.every((f) => STATIC_RULES.includes(f.ruleId))).toBe(true);
    expect(rulesAt(report.findings)).toContain('shared-write-outside-lock:13');
  });

  it('a bad entry is the same one-line error the CLI prints', async () => {
    await expect(runTraced({ entry: 'no/such/program.ts', args: [], cwd: root })).rejects.toThrow(/no\/such\/program\.ts/);
  });
});
