/**
 * Every rule racecheck reports, defined once: its id, where it comes from (the runtime analyzer, the static
 * analyzer, or the tool itself), its default severity, a one-line description and the help text formatters
 * and documentation show.
 */
export type RuleKind = 'runtime' | 'static' | 'tool';
export type Severity = 'error' | 'warning';

export interface RuleMeta {
  id: string;
  kinds: readonly RuleKind[];
  severity: Severity;
  description: string;
  help: string;
}

const rules = [
  {
    id: 'data-race',
    kinds: ['runtime'],
    severity: 'error',
    description: 'Two threads access the same shared memory, at least one writes, and nothing orders the two.',
    help: 'Protect both accesses with the same Lock, or order them (join, Event, Queue hand-off, Atomics). racecheck checks ordering, not timing: the race is real even if the two did not collide in this run.',
  },
  {
    id: 'async-race',
    kinds: ['runtime'],
    severity: 'error',
    description: 'An async task writes back state it read before an await, while another task wrote it in between.',
    help: 'Hold an async lock across the read, the await and the write, or re-read the state after the await.',
  },
  {
    id: 'lock-order-inversion',
    kinds: ['runtime', 'static'],
    severity: 'error',
    description: 'Locks are taken in inconsistent orders by different threads: a potential deadlock.',
    help: 'Take locks in one global order everywhere, or take the second lock with a try-acquire and back off (release the first and retry) when it fails.',
  },
  {
    id: 'deadlock',
    kinds: ['runtime'],
    severity: 'error',
    description: 'Threads are blocked for good: waiting for each other in a cycle, or every thread waiting on something no one will provide.',
    help: 'Follow the wait-for chain in the report: each thread waits for a lock another holds. Break the cycle with a global lock order, or make one side give up (timeouts, try-acquire).',
  },
  {
    id: 'lock-held-at-exit',
    kinds: ['runtime'],
    severity: 'error',
    description: 'A thread ended while holding a lock: every thread that needs it waits forever (starvation).',
    help: 'Release locks on every path out of the thread, e.g. with lock.withLock(() => …) or try/finally.',
  },
  {
    id: 'thread-leak',
    kinds: ['runtime'],
    severity: 'warning',
    description: 'A thread was started and never joined.',
    help: 'Join every thread you start (thread.join() / await thread.joinAsync()), or mark it daemon: true if it may be abandoned.',
  },
  {
    id: 'primitive-misuse',
    kinds: ['runtime'],
    severity: 'error',
    description: 'A primitive used against its contract: a Lock released by a thread that did not take it, a thread re-taking a Lock it holds.',
    help: 'Release a lock in the thread that acquired it; use an RLock where a thread must take a lock it may already hold.',
  },
  {
    id: 'atomic-update-across-await',
    kinds: ['static'],
    severity: 'error',
    description: 'Shared state is read before an await and written after it from the stale value.',
    help: 'Hold an async lock around the read, the await and the write, or recompute from fresh state after the await.',
  },
  {
    id: 'lock-not-released',
    kinds: ['static'],
    severity: 'error',
    description: 'A path leaves the function with a lock still held.',
    help: 'Use withLock/withLockAsync/runExclusive, or release in a finally block.',
  },
  {
    id: 'blocking-wait-on-main-thread',
    kinds: ['static'],
    severity: 'warning',
    description: 'A blocking wait runs on the main thread and freezes its event loop.',
    help: 'Use the async form (acquireAsync, getAsync, joinAsync, waitAsync).',
  },
  {
    id: 'lock-held-across-await',
    kinds: ['static'],
    severity: 'warning',
    description: 'A cross-thread lock is held across an await, blocking other tasks of the thread that need it.',
    help: 'Release before awaiting, or use an async lock for state shared between tasks.',
  },
  {
    id: 'condition-wait-without-loop',
    kinds: ['static'],
    severity: 'error',
    description: 'Condition.wait() is not inside a loop that re-checks its predicate.',
    help: 'Wait in a while loop (or use waitFor(predicate)): wake-ups can be spurious or stolen.',
  },
  {
    id: 'unjoined-thread',
    kinds: ['static'],
    severity: 'warning',
    description: 'A thread or worker is started and never joined, awaited or terminated on some path.',
    help: 'Join it on every path, or make it a daemon thread on purpose.',
  },
  {
    id: 'shared-write-outside-lock',
    kinds: ['static'],
    severity: 'error',
    description: 'A plain write to SharedArrayBuffer-backed memory in code several threads run, outside any lock.',
    help: 'Write under a lock, or with Atomics.',
  },
  {
    id: 'parse-error',
    kinds: ['static'],
    severity: 'error',
    description: 'A file could not be parsed, so it was not analyzed.',
    help: 'Fix the syntax error; the rest of the project was analyzed.',
  },
  {
    id: 'unused-suppression',
    kinds: ['tool'],
    severity: 'warning',
    description: 'A racecheck-disable comment suppressed nothing.',
    help: 'Remove the comment, or name the rule it was meant for.',
  },
] as const satisfies readonly RuleMeta[];

export type RuleId = (typeof rules)[number]['id'];

export const RULES: ReadonlyMap<RuleId, RuleMeta> = new Map(rules.map((rule) => [rule.id, rule as RuleMeta]));

export const RULE_IDS: readonly RuleId[] = rules.map((rule) => rule.id);

export function ruleMeta(id: RuleId): RuleMeta {
  return RULES.get(id)!;
}

export function isRuleId(value: string): value is RuleId {
  return RULES.has(value as RuleId);
}

/** Where each rule's page lives in the repository. */
export function ruleDocsPath(id: RuleId): string {
  return `docs/rules/${id}.md`;
}
