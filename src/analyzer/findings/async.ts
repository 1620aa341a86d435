/**
 * Findings about the event loop: lost updates between async tasks, lock-order cycles and deadlocks of
 * async locks, and awaits that nothing will ever settle.
 */
import { fingerprintOf, severityOf, type Finding, type RuleId } from '../../core/findings.js';
import { isAsyncMutexType, type AsyncDeadlock, type AsyncRace } from '../async-races.js';
import type { CycleEdge } from '../lock-graph.js';
import type { Namer } from '../naming.js';
import { cycleShape } from './threads.js';

export function asyncFindings(n: Namer, enabled: (rule: RuleId) => boolean): Finding[] {
  const tasks = n.tasks;
  const findings: Finding[] = [];
  if (enabled('async-race')) for (const race of tasks.races()) findings.push(asyncRaceFinding(n, race));
  if (enabled('lock-order-inversion')) {
    for (const { thread, cycle } of tasks.lockCycles((edges) => cycleShape(n, edges))) findings.push(asyncCycleFinding(n, thread, cycle.edges, cycle.count));
  }
  if (enabled('deadlock')) {
    const deadlocks = tasks.deadlocks((lock) => isAsyncMutexType(n.objects.get(lock)?.type));
    for (const deadlock of deadlocks) findings.push(asyncDeadlockFinding(n, deadlock));
    for (const stuck of tasks.stuckAwaits()) {
      const [first, ...others] = stuck.awaits;
      const location = n.location(first!.site);
      const thread = n.threadRef(stuck.thread);
      const count = stuck.awaits.length;
      findings.push({
        ruleId: 'deadlock',
        severity: severityOf('deadlock'),
        message: `The event loop ran out of work while ${count === 1 ? 'a task was' : `${count} tasks were`} still waiting: ${n.taskName(stuck.thread, first!.task)} waits here for a promise that nothing will ever settle`,
        location,
        thread,
        related: others.map((other) => ({ message: `${n.taskName(stuck.thread, other.task)} also never resumes from this await`, location: n.location(other.site), thread })),
        threads: [thread],
        count: 1,
        fingerprint: fingerprintOf('deadlock', [location], n.cwd, 'stuck-await'),
      });
    }
  }
  return findings;
}

function asyncRaceFinding(n: Namer, race: AsyncRace): Finding {
  const cwd = n.cwd;
  const { write, other, thread: threadId } = race;
  const location = n.location(write.site);
  const otherLocation = n.location(other.site);
  const thread = n.threadRef(threadId);
  const writer = n.taskName(threadId, write.task);
  const rival = n.taskName(threadId, other.task, write.task);
  const state = n.stateName(race);
  const related: Finding['related'] = [
    { message: `${writer} read ${state} here`, location: n.location(write.stale!.readSite), thread },
    { message: `then awaited here: other tasks may run before it resumes`, location: n.location(write.stale!.awaitSite), thread },
    { message: `${rival} writes ${state} here, not ordered with the write-back`, location: otherLocation, thread },
  ];
  if (other.stale && other.stale.readSite !== write.stale!.readSite) related.push({ message: `${rival} wrote back a value it read here, before an await`, location: n.location(other.stale.readSite), thread });
  if (n.source.site(race.key)?.file) related.push({ message: `${state} is declared here`, location: n.location(race.key), thread });
  return {
    ruleId: 'async-race',
    severity: severityOf('async-race'),
    message: `Lost update on ${state}: ${writer} writes back a value computed from a read made before an await, while ${rival} writes it too and nothing orders the two; one update can overwrite the other`,
    location,
    thread,
    access: 'write',
    related,
    threads: [thread],
    count: race.count,
    fingerprint: fingerprintOf('async-race', [n.location(write.stale!.readSite), location, otherLocation], cwd),
  };
}

function asyncCycleFinding(n: Namer, threadId: number, edges: CycleEdge[], count: number): Finding {
  const cwd = n.cwd;
  const last = edges[edges.length - 1]!;
  const names = edges.map((edge) => n.lockName(edge.from));
  const location = n.location(last.label.acquiredSite);
  const thread = n.threadRef(threadId);
  const related = edges.flatMap((edge) => {
    const task = n.taskName(threadId, edge.label.thread, edges[0]!.label.thread);
    return [
      { message: `${task} acquires ${n.lockName(edge.to)} here while holding ${n.lockName(edge.from)}`, location: n.location(edge.label.acquiredSite), thread, locksHeld: [n.lockRef(edge.from)] },
      { message: `${task} acquired ${n.lockName(edge.from)} here`, location: n.location(edge.label.heldSite), thread },
    ];
  });
  return {
    ruleId: 'lock-order-inversion',
    severity: severityOf('lock-order-inversion'),
    message: `Lock-order inversion between async tasks (potential deadlock): ${[...names, names[0]].join(' => ')}`,
    location,
    thread,
    locksHeld: [n.lockRef(last.from)],
    related,
    threads: [thread],
    count,
    fingerprint: fingerprintOf('lock-order-inversion', edges.map((edge) => n.location(edge.label.acquiredSite)), cwd),
  };
}

function asyncDeadlockFinding(n: Namer, deadlock: AsyncDeadlock): Finding {
  const cwd = n.cwd;
  const thread = n.threadRef(deadlock.thread);
  const [first] = deadlock.waits;
  const location = n.location(first!.site);
  const waiter = n.taskName(deadlock.thread, first!.task);
  const lock = n.lockName(first!.lock);
  let message: string;
  if (deadlock.kind === 'self') {
    message = `Deadlock: ${waiter} waits for ${lock}, which ${first!.holder!.task === first!.task ? 'it already holds' : `${n.taskName(deadlock.thread, first!.holder!.task, first!.task)} holds while waiting for it`}; async mutexes are not reentrant, so it waits forever`;
  } else if (deadlock.kind === 'cycle') {
    message = `Deadlock between async tasks: ${deadlock.waits.map((wait) => `${n.taskName(deadlock.thread, wait.task, first!.task)} waits for ${n.lockName(wait.lock)}`).join(', ')}; each lock is held by the next task, so none can go on`;
  } else {
    message = first!.holder
      ? `Deadlock: ${waiter} waits for ${lock}, which ${n.taskName(deadlock.thread, first!.holder.task, first!.task)} took and never released; the event loop ran out of work with the task still waiting`
      : `Deadlock: ${waiter} waits for ${lock}, which has no permit left and nothing releases; the event loop ran out of work with the task still waiting`;
  }
  const related: Finding['related'] = deadlock.waits.flatMap((wait, i) => [
    ...(i > 0 ? [{ message: `${n.taskName(deadlock.thread, wait.task, first!.task)} waits for ${n.lockName(wait.lock)} here`, location: n.location(wait.site), thread }] : []),
    ...(wait.holder ? [{ message: `${n.taskName(deadlock.thread, wait.holder.task, first!.task)} acquired ${n.lockName(wait.lock)} here`, location: n.location(wait.holder.site), thread, locksHeld: [n.lockRef(wait.lock)] }] : []),
  ]);
  return {
    ruleId: 'deadlock',
    severity: severityOf('deadlock'),
    message,
    location,
    thread,
    related,
    threads: [thread],
    count: 1,
    fingerprint: fingerprintOf('deadlock', deadlock.waits.map((wait) => n.location(wait.site)), cwd, `async-${deadlock.kind}`),
  };
}
