import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../src/analyzer/analyze.js';
import type { Report } from '../../src/core/findings.js';
import { TraceReader } from '../../src/tracer/trace-reader.js';
import { runTraced, tempPath } from '../tracer/trace-helpers.js';

const program = (name: string): string => fileURLToPath(new URL(`./programs/${name}`, import.meta.url));

async function analyzeRun(name: string, args: string[]): Promise<{ report: Report; stdout: string }> {
  const trace = tempPath(`${name}.trace`);
  const run = await runTraced(program(name), args, trace);
  expect(run.stderr).toBe('');
  const reader = new TraceReader(trace);
  const report = analyzeTrace(
    { events: () => reader.events(), site: (id) => reader.sites.get(id), threadName: (t) => reader.threadName(t) },
    { cwd: process.cwd() },
  );
  return { report, stdout: run.stdout };
}

describe('the analyzer on real threaded programs', () => {
  it('reports a race that did not manifest: the first thread ended before the second started', async () => {
    const { report, stdout } = await analyzeRun('sequential.mjs', []);
    expect(stdout.trim()).toBe('2');
    const races = report.findings.filter((f) => f.ruleId === 'data-race');
    expect(races.length).toBeGreaterThan(0);
    expect(races.every((f) => f.location?.line === 7)).toBe(true);
    expect(new Set(races.flatMap((f) => f.threads.map((t) => t.name)))).toEqual(new Set(['first', 'second']));
  });

  it('is quiet on the same program ordered by join', async () => {
    const { report, stdout } = await analyzeRun('sequential.mjs', ['join']);
    expect(stdout.trim()).toBe('2');
    expect(report.findings).toEqual([]);
  });

  it('a hand-off through synchronisation it cannot see is reported, and annotations silence it', async () => {
    const plain = await analyzeRun('handoff.mjs', []);
    expect(plain.stdout.trim()).toBe('42');
    expect(plain.report.findings.map((f) => [f.ruleId, f.location?.line])).toEqual([['data-race', 7]]);
    const annotated = await analyzeRun('handoff.mjs', ['annotate']);
    expect(annotated.stdout.trim()).toBe('42');
    expect(annotated.report.findings).toEqual([]);
  });
});
