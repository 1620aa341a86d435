/**
 * Async programs with no racecheck import (one uses racecheck's Lock as a library) run through `racecheck
 * run`: lost updates across await must be reported whether or not the updates collided in this run, and
 * never for state only one task can reach; async-mutex locks order what they protect, their lock-order
 * cycles and real deadlocks are reported. A clean program's output must be the same as under plain node.
 */
import { describe, expect, it } from 'vitest';
import { plainNode, racecheck, splitJsonRun } from '../cli/cli-helpers.js';

interface Case {
  program: string;
  /** racecheck options before the program. */
  options?: string[];
  /** Rule id and primary line of each finding; empty for a correct program. */
  findings: string[];
  /** The program's stdout is deterministic: compare it with a plain `node` run. */
  sameOutput?: boolean;
}

const cases: Case[] = [
  // Lost updates: through Promise.all, un-awaited calls, timers, event handlers, streams — manifesting or not.
  { program: 'promise-all-lost-update.mjs', findings: ['async-race:8'] },
  { program: 'promise-all-latent.mjs', findings: ['async-race:10'] },
  { program: 'unawaited-call.mjs', findings: ['async-race:8'] },
  { program: 'timer-lost-update.mjs', findings: ['async-race:8'] },
  { program: 'timers-latent.mjs', findings: ['async-race:9'] },
  { program: 'event-handler-lost-update.mjs', findings: ['async-race:11'] },
  { program: 'http-handler-lost-update.mjs', findings: ['async-race:10'] },
  { program: 'http-handler-clean.mjs', findings: [], sameOutput: true },
  { program: 'stream-iteration-lost-update.mjs', findings: ['async-race:11'] },
  { program: 'compound-await.mjs', findings: ['async-race:6'] },
  { program: 'property-lost-update.mjs', findings: ['async-race:8'] },
  { program: 'this-property-lost-update.ts', findings: ['async-race:10'] },
  { program: 'closure-counter-race.mjs', findings: ['async-race:10'] },
  { program: 'cjs-lost-update.cjs', findings: ['async-race:8'] },
  { program: 'reset-race.mjs', findings: ['async-race:8'] },
  // The same updates made safe: async locks, sequential awaits, reading after the await, a promise queue.
  { program: 'async-mutex-clean.mjs', findings: [], sameOutput: true },
  { program: 'async-mutex-acquire-clean.mjs', findings: [], sameOutput: true },
  { program: 'semaphore-clean.mjs', findings: [], sameOutput: true },
  { program: 'racecheck-lock-async-clean.mjs', findings: [], sameOutput: true },
  { program: 'sequential-awaits-clean.mjs', findings: [], sameOutput: true },
  { program: 'read-after-await-clean.mjs', findings: [], sameOutput: true },
  { program: 'promise-chain-queue-clean.mjs', findings: [], sameOutput: true },
  { program: 'chained-timers-clean.mjs', findings: [], sameOutput: true },
  // What ESLint's require-atomic-updates flags although no other task can reach the state.
  { program: 'eslint-false-positives-clean.mjs', findings: [], sameOutput: true },
  { program: 'separate-counters-clean.mjs', findings: [], sameOutput: true },
  { program: 'separate-objects-clean.mjs', findings: [], sameOutput: true },
  // Async locks: opposite orders (deadlocking, and not in this run), one order, re-entry, a lost release, a
  // promise nothing settles.
  { program: 'mutex-order-deadlock.mjs', findings: ['deadlock:11'] },
  { program: 'mutex-order-latent.mjs', findings: ['lock-order-inversion:13'], sameOutput: true },
  { program: 'mutex-same-order-clean.mjs', findings: [], sameOutput: true },
  { program: 'racecheck-lock-order-latent.mjs', findings: ['lock-order-inversion:12'], sameOutput: true },
  { program: 'racecheck-lock-sync-order-clean.mjs', findings: [], sameOutput: true },
  { program: 'mutex-reentry-deadlock.mjs', findings: ['deadlock:8'] },
  { program: 'mutex-never-released.mjs', findings: ['deadlock:8'] },
  { program: 'never-settled-await.mjs', findings: ['deadlock:10'], sameOutput: true },
  // --async off: the event loop is not followed, so there is nothing to report.
  { program: 'promise-all-lost-update.mjs', options: ['--async', 'off'], findings: [], sameOutput: true },
];

interface JsonMessage {
  ruleId: string;
  message: string;
  line: number;
  racecheck: { related: { message: string; location?: { line: number } }[] };
}

describe.concurrent('async programs', () => {
  it('count: at least 25 programs, racy and race-free', () => {
    const programs = new Set(cases.map((c) => c.program));
    expect(programs.size).toBeGreaterThanOrEqual(25);
    expect(cases.filter((c) => c.findings.length === 0).length).toBeGreaterThanOrEqual(12);
  });

  for (const testCase of cases) {
    const path = `test/async/programs/${testCase.program}`;
    const options = testCase.options ?? [];
    const title = `${testCase.program}${options.length ? ` ${options.join(' ')}` : ''}: ${testCase.findings.length ? testCase.findings.join(', ') : 'clean'}`;
    it(title, async () => {
      const run = await racecheck(['run', ...options, path, '--format', 'json']);
      const { programOutput, findings } = splitJsonRun(run.stdout);
      expect(findings, run.stderr).toEqual([...new Set(testCase.findings)].sort());
      expect(run.code).toBe(testCase.findings.length ? 1 : 0);
      if (testCase.sameOutput) expect(programOutput).toBe((await plainNode(path)).stdout);
    });
  }

  it('a lost update names the read, the await, the write-back and the other task’s write', async () => {
    const run = await racecheck(['run', 'test/async/programs/promise-all-lost-update.mjs', '--format', 'json']);
    const start = run.stdout.lastIndexOf('\n[') + 1;
    const [file] = JSON.parse(run.stdout.slice(start)) as { messages: JsonMessage[] }[];
    const [message] = file!.messages;
    expect(message!.message).toMatch(/^Lost update on variable 'balance': task 'deposit' writes back a value computed from a read made before an await, while another 'deposit' task writes it too/);
    const related = message!.racecheck.related.map((r) => `${r.location?.line}: ${r.message}`);
    expect(related).toEqual([
      "6: task 'deposit' read variable 'balance' here",
      '7: then awaited here: other tasks may run before it resumes',
      "8: another 'deposit' task writes variable 'balance' here, not ordered with the write-back",
      "2: variable 'balance' is declared here",
    ]);
  });
});
