/**
 * Unmodified programs — no racecheck import anywhere — run through `racecheck run`: each must be reported
 * exactly when it has a race (or a lock-order inversion, or a deadlock), and a program's output must be
 * the same as under plain node.
 */
import { describe, expect, it } from 'vitest';
import { plainNode, racecheck, splitJsonRun } from '../cli/cli-helpers.js';

interface Case {
  program: string;
  args?: string[];
  /**
   * Rule id and primary line of the findings expected; empty for a correct program. How many findings
   * one line gets may vary with the interleaving (which access pairs FastTrack's shadow meets), so lines
   * are compared as a set.
   */
  findings: string[];
  /** The program's stdout is deterministic: compare it with a plain `node` run. */
  sameOutput?: boolean;
  /** Whether the program itself fails depends on the Node running it: the run fails when plain node does. */
  failsAsPlainNode?: boolean;
}

const cases: Case[] = [
  // Races that manifest, and ones that never collide in time.
  { program: 'counter-race.mjs', findings: ['data-race:10'] },
  { program: 'read-then-write-race.mjs', findings: ['data-race:13', 'data-race:14'] },
  { program: 'cjs-counter-race.cjs', findings: ['data-race:13'] },
  { program: 'separate-main.mjs', findings: ['data-race:4'] },
  { program: 'message-early-read-race.mjs', findings: ['data-race:8'] },
  { program: 'broadcast-early-race.mjs', findings: ['data-race:16'] },
  { program: 'flag-plain-race.mjs', findings: ['data-race:15', 'data-race:16', 'data-race:17', 'data-race:18'] },
  { program: 'views-alias-race.mjs', findings: ['data-race:13'] },
  { program: 'run-across-views-race.mjs', findings: ['data-race:15'] },
  { program: 'views-widths-race.mjs', findings: ['data-race:14', 'data-race:15'] },
  // Built-ins that touch many elements at once, and the elements next to their ranges.
  {
    program: 'bulk-methods.mjs',
    findings: ['data-race:11', 'data-race:12', 'data-race:13', 'data-race:14', 'data-race:15', 'data-race:16', 'data-race:17', 'data-race:18', 'data-race:38', 'data-race:39', 'data-race:41', 'data-race:45'],
  },
  { program: 'bulk-methods.mjs', args: ['--join'], findings: [], sameOutput: true },
  { program: 'iterate-race.mjs', findings: ['data-race:10', 'data-race:11'] },
  // DataViews: the same memory as typed arrays, aligned or not.
  { program: 'dataview-race.mjs', findings: ['data-race:11'] },
  { program: 'dataview-alias-race.mjs', findings: ['data-race:16'] },
  { program: 'dataview-unaligned-race.mjs', findings: ['data-race:16'] },
  { program: 'dataview-clean.mjs', findings: [], sameOutput: true },
  { program: 'out-of-bounds-clean.mjs', findings: [], sameOutput: true },
  { program: 'latent-race.mjs', findings: ['data-race:13'] },
  // DataRaceBench-style kernels and their race-free twins.
  { program: 'antidependence-race.mjs', findings: ['data-race:15'] },
  { program: 'antidependence-clean.mjs', findings: [], sameOutput: true },
  { program: 'indirect-index-race.mjs', findings: ['data-race:14'] },
  { program: 'indirect-index-clean.mjs', findings: [], sameOutput: true },
  { program: 'barrier-kernel.mjs', findings: ['data-race:33'] },
  { program: 'barrier-kernel.mjs', args: ['--barrier'], findings: [], sameOutput: true },
  { program: 'reduction-race.mjs', findings: ['data-race:13'] },
  { program: 'reduction-atomic-clean.mjs', findings: [], sameOutput: true },
  // Clean hand-offs: join, messages, Atomics flags, wait/notify, hand-written locks.
  { program: 'atomic-counter-clean.mjs', findings: [], sameOutput: true },
  { program: 'cjs-atomic-clean.cjs', findings: [], sameOutput: true },
  { program: 'join-handoff-clean.mjs', findings: [], sameOutput: true },
  { program: 'join-once-clean.mjs', findings: [], sameOutput: true },
  { program: 'terminate-clean.mjs', findings: [], sameOutput: true },
  { program: 'flag-handoff-clean.mjs', findings: [], sameOutput: true },
  { program: 'wait-notify-clean.mjs', findings: [], sameOutput: true },
  { program: 'message-handoff-clean.mjs', findings: [], sameOutput: true },
  { program: 'broadcast-handoff-clean.mjs', findings: [], sameOutput: true },
  { program: 'channel-port-clean.mjs', findings: [], sameOutput: true },
  { program: 'receive-sync-clean.mjs', findings: [], sameOutput: true },
  { program: 'views-disjoint-clean.mjs', findings: [], sameOutput: true },
  { program: 'local-arrays-clean.mjs', findings: [], sameOutput: true },
  { program: 'spinlock-clean.mjs', findings: [], sameOutput: true },
  { program: 'futex-mutex-clean.ts', findings: [] },
  { program: 'ts-main.ts', findings: [] },
  // Races beside correct Atomics synchronisation (helpers in a module of their own): Atomics order per
  // location, so traffic on other locations between two accesses orders nothing.
  { program: 'wrong-flag-race.mjs', findings: ['data-race:19'] },
  { program: 'wrong-flag-clean.mjs', findings: [], sameOutput: true },
  { program: 'progress-race.mjs', findings: ['data-race:16'] },
  { program: 'progress-clean.mjs', findings: [], sameOutput: true },
  { program: 'latch-total-race.mjs', findings: ['data-race:16'] },
  { program: 'latch-slots-clean.mjs', findings: [], sameOutput: true },
  { program: 'barrier-phase-race.mjs', findings: ['data-race:15'] },
  { program: 'barrier-phase-clean.mjs', findings: [], sameOutput: true },
  { program: 'done-counter-race.mjs', findings: ['data-race:16'] },
  { program: 'done-counter-clean.mjs', findings: [], sameOutput: true },
  // A spin lock in a TypeScript class of a helper module, used through a callback; one path forgets it.
  { program: 'class-lock-clean.ts', findings: [] },
  { program: 'class-lock-race.ts', findings: ['data-race:22'] },
  { program: 'wait-async-handoff-clean.mjs', findings: [], sameOutput: true },
  // Hand-written locks: order cycles, and a deadlock that really happens.
  { program: 'lock-order-inversion.mjs', findings: ['lock-order-inversion:9'] },
  { program: 'atomics-deadlock.mjs', findings: ['deadlock:10'] },
  // A thread taking a non-reentrant hand-written mutex it holds (through a helper): it waits for itself.
  // Reported at the wait inside the helper (helpers/futex-mutex.mjs:8) until reports carry stacks.
  { program: 'self-relock-deadlock.mjs', findings: ['deadlock:8'] },
  { program: 'self-relock-clean.mjs', findings: [], sameOutput: true },
  // Code workers (eval: true): instrumented through a bootstrap; their data and messages arrive as sent.
  { program: 'eval-worker-clean.mjs', findings: [], sameOutput: true },
  { program: 'eval-worker-race.mjs', findings: ['data-race:4'] },
  { program: 'eval-worker-globals-clean.mjs', findings: [], sameOutput: true },
  // Bad input: a module the parser cannot read runs uninstrumented. Import assertions are syntax Node 20
  // and 22 accept; Node 24 refuses the module itself, and the run fails as the program does.
  { program: 'import-assertion.mjs', findings: [], sameOutput: true, failsAsPlainNode: true },
];

describe.concurrent('instrumented unmodified programs', () => {
  it('count: at least 30 programs, racy and race-free', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.findings.length === 0).length).toBeGreaterThanOrEqual(15);
  });

  for (const testCase of cases) {
    const path = `test/instrument/programs/${testCase.program}`;
    const args = testCase.args ?? [];
    const title = `${testCase.program}${args.length ? ` ${args.join(' ')}` : ''}: ${testCase.findings.length ? testCase.findings.join(', ') : 'clean'}`;
    it(title, async () => {
      const run = await racecheck(['run', path, '--format', 'json', '--deadlock-grace', '1', '--', ...args]);
      const { programOutput, findings } = splitJsonRun(run.stdout);
      expect(findings, run.stderr).toEqual([...new Set(testCase.findings)].sort());
      const fails = testCase.failsAsPlainNode ? (await plainNode(path, args)).code !== 0 : false;
      expect(run.code).toBe(testCase.findings.length || fails ? 1 : 0);
      if (testCase.sameOutput) {
        const plain = await plainNode(path, args);
        expect(programOutput).toBe(plain.stdout);
      }
      if (testCase.program === 'import-assertion.mjs') {
        expect(run.stderr).toMatch(/racecheck: warning: .*import-assertion\.mjs is not instrumented \(it runs unchanged\)/);
      }
    });
  }
});
