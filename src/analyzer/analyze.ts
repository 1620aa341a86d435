/**
 * From a trace's events to a report: runs the happens-before checker and the lock-order graph over the
 * merged event stream, watches for misuse (a lock held when its thread exits, a thread never joined, a Lock
 * released by a thread that does not hold it), gathers lock statistics, and turns all of it into findings
 * of the one finding model. Pure: events, sites and thread names in; a Report out.
 */
import {
  describeLocks,
  fingerprintOf,
  formatLocation,
  severityOf,
  sortFindings,
  type Finding,
  type LockRef,
  type LockStatistics,
  type Report,
  type RuleId,
  type RunInfo,
  type SourceLocation,
  type ThreadRef,
} from '../core/findings.js';
import { AcquireMode, EventKind, joinObjectId, ObjectType, objectTypeName, type Site, type TraceEvent } from '../tracer/schema.js';
import { AsyncAnalyzer, isAsyncMutexType, type AsyncDeadlock, type AsyncRace } from './async-races.js';
import { AtomicLockTracker, isAtomicLock } from './atomic-locks.js';
import { HappensBeforeChecker, type AccessSide, type Race } from './happens-before.js';
import { LockGraph, type CycleEdge } from './lock-graph.js';

export interface TraceSource {
  events(): Iterable<TraceEvent>;
  /** Call sites, complete once `events()` is consumed. */
  site(id: number): Site | undefined;
  threadName(thread: number): string;
}

export interface AnalyzeOptions {
  /** Base of relative paths in messages and fingerprints. */
  cwd: string;
  /** Only these rules (default: all). */
  rules?: ReadonlySet<RuleId>;
  run?: RunInfo;
  /** Extra findings made elsewhere (the deadlock watchdog). */
  extraFindings?: Finding[];
}

interface ObjectInfo {
  type: number;
  site: number;
  thread: number;
}

interface SpawnInfo {
  site: number;
  thread: number;
  child: number;
  daemon: boolean;
}

interface LockStats {
  acquisitions: number;
  contended: number;
  waitTotal: number;
  waitLongest: number;
  holdLongest: number;
  holdLongestSite: number;
}

/** What happened to one lock in one thread, as the driver follows it. */
interface PendingAcquire {
  time: number;
  contended: boolean;
}

export function analyzeTrace(source: TraceSource, options: AnalyzeOptions): Report {
  const analysis = new Analysis(source, options);
  for (const event of source.events()) analysis.process(event);
  return analysis.report();
}

class Analysis {
  readonly #source: TraceSource;
  readonly #options: AnalyzeOptions;
  readonly #hb = new HappensBeforeChecker();
  readonly #graph = new LockGraph();
  readonly #atomicLocks = new AtomicLockTracker();
  readonly #async = new AsyncAnalyzer();
  readonly #objects = new Map<number, ObjectInfo>();
  readonly #spawned = new Map<number, SpawnInfo>();
  readonly #joined = new Set<number>();
  readonly #owners = new Map<number, number>();
  readonly #attempts = new Map<string, PendingAcquire>();
  readonly #holds = new Map<string, { time: number; site: number }>();
  readonly #stats = new Map<number, LockStats>();
  readonly #findings: Finding[] = [];
  readonly #reportedObjects = new Set<string>();

  constructor(source: TraceSource, options: AnalyzeOptions) {
    this.#source = source;
    this.#options = options;
  }

  process(event: TraceEvent): void {
    const object = joinObjectId(event.objectHi, event.objectLo);
    switch (event.kind) {
      case EventKind.ObjectCreate:
        this.#objects.set(object, { type: event.arg, site: event.site, thread: event.thread });
        break;
      case EventKind.LockAttempt:
        this.#onAttempt(event, object);
        break;
      case EventKind.LockAcquired:
        this.#onAcquired(event, object);
        break;
      case EventKind.LockRelease:
        this.#onRelease(event, object);
        break;
      case EventKind.ThreadSpawn:
        this.#spawned.set(object, { site: event.site, thread: event.thread, child: event.arg, daemon: event.width === 1 });
        break;
      case EventKind.ThreadJoin:
        this.#joined.add(object);
        break;
      case EventKind.ThreadExit:
        this.#onExit(event);
        break;
      case EventKind.AtomicStore:
      case EventKind.AtomicReadModifyWrite:
        this.#onAtomicWrite(event, object);
        break;
      default:
        break;
    }
    this.#hb.process(event);
    this.#async.process(event);
  }

  /** Hand-written locks: who holds which, for lock-order cycles and the locks named in race reports. */
  #onAtomicWrite(event: TraceEvent, buffer: number): void {
    const change = this.#atomicLocks.observe(event.kind, event.thread, buffer, event.arg, event.detail, event.site);
    if (!change) return;
    if (change.previousHolder !== undefined && change.acquired !== undefined) {
      this.#graph.beforeUnlock(change.previousHolder, change.acquired);
      this.#hb.unhold(change.previousHolder, change.acquired);
    }
    if (change.disqualified) {
      this.#graph.beforeUnlock(change.disqualified.holder, change.disqualified.lock);
      this.#hb.unhold(change.disqualified.holder, change.disqualified.lock);
    }
    if (change.acquired !== undefined) {
      this.#graph.afterLock(event.thread, change.acquired, event.site, true);
      this.#hb.hold(event.thread, change.acquired, event.site);
    }
    if (change.released !== undefined) {
      this.#graph.beforeUnlock(event.thread, change.released);
      this.#hb.unhold(event.thread, change.released);
    }
  }

  #onAttempt(event: TraceEvent, lock: number): void {
    const owner = this.#owners.get(lock);
    this.#attempts.set(`${event.thread}:${lock}`, { time: event.time, contended: owner !== undefined && owner !== event.thread });
    const type = this.#objects.get(lock)?.type;
    if (owner === event.thread && event.arg === AcquireMode.Blocking && type !== ObjectType.RLock) {
      this.#misuse(`relock:${lock}`, event, `thread '${this.#threadName(event.thread)}' acquires ${this.#lockName(lock)} that it already holds: it will wait until another thread releases it, or forever`, lock);
    }
  }

  #onAcquired(event: TraceEvent, lock: number): void {
    const key = `${event.thread}:${lock}`;
    const attempt = this.#attempts.get(key);
    this.#attempts.delete(key);
    this.#owners.set(lock, event.thread);
    this.#holds.set(key, { time: event.time, site: event.site });
    this.#graph.afterLock(event.thread, lock, event.site, event.arg === AcquireMode.Blocking);
    const stats = this.#statsOf(lock);
    stats.acquisitions++;
    if (attempt) {
      const wait = Math.max(0, event.time - attempt.time);
      if (attempt.contended) stats.contended++;
      stats.waitTotal += wait;
      stats.waitLongest = Math.max(stats.waitLongest, wait);
    }
  }

  #onRelease(event: TraceEvent, lock: number): void {
    const owner = this.#owners.get(lock);
    if (owner !== undefined && owner !== event.thread) {
      this.#misuse(`foreign-release:${lock}`, event, `${this.#lockName(lock)} is released by thread '${this.#threadName(event.thread)}' but was acquired by thread '${this.#threadName(owner)}'`, lock);
    }
    this.#owners.delete(lock);
    this.#graph.beforeUnlock(owner ?? event.thread, lock);
    const key = `${owner ?? event.thread}:${lock}`;
    const hold = this.#holds.get(key);
    this.#holds.delete(key);
    if (hold) {
      const stats = this.#statsOf(lock);
      const duration = Math.max(0, event.time - hold.time);
      if (duration >= stats.holdLongest) {
        stats.holdLongest = duration;
        stats.holdLongestSite = hold.site;
      }
    }
  }

  #onExit(event: TraceEvent): void {
    const state = this.#hb.threads.get(event.thread);
    for (const held of state?.held ?? []) {
      // An Atomics word left non-zero is as often a flag as a lock: not reported.
      if (isAtomicLock(held.lock)) continue;
      if (!this.#enabled('lock-held-at-exit') || this.#reportedObjects.has(`held:${held.lock}`)) continue;
      this.#reportedObjects.add(`held:${held.lock}`);
      const location = this.#location(held.site);
      const thread = this.#threadRef(event.thread);
      this.#findings.push({
        ruleId: 'lock-held-at-exit',
        severity: severityOf('lock-held-at-exit'),
        message: `Thread '${thread.name}' ended while holding ${this.#lockName(held.lock)}: no other thread can ever take it`,
        location,
        thread,
        locksHeld: [this.#lockRef(held.lock)],
        related: this.#location(event.site) ? [{ message: `thread '${thread.name}' ended here`, location: this.#location(event.site), thread }] : [],
        threads: [thread],
        count: 1,
        fingerprint: fingerprintOf('lock-held-at-exit', [location], this.#options.cwd),
      });
    }
  }

  #misuse(key: string, event: TraceEvent, message: string, lock: number): void {
    if (!this.#enabled('primitive-misuse') || this.#reportedObjects.has(key)) return;
    this.#reportedObjects.add(key);
    const location = this.#location(event.site);
    const thread = this.#threadRef(event.thread);
    const created = this.#objects.get(lock);
    this.#findings.push({
      ruleId: 'primitive-misuse',
      severity: severityOf('primitive-misuse'),
      message,
      location,
      thread,
      related: created ? [{ message: `${this.#lockName(lock)} was created here`, location: this.#location(created.site) }] : [],
      threads: [thread],
      count: 1,
      fingerprint: fingerprintOf('primitive-misuse', [location], this.#options.cwd, key.split(':')[0]),
    });
  }

  #statsOf(lock: number): LockStats {
    let stats = this.#stats.get(lock);
    if (!stats) {
      stats = { acquisitions: 0, contended: 0, waitTotal: 0, waitLongest: 0, holdLongest: 0, holdLongestSite: 0 };
      this.#stats.set(lock, stats);
    }
    return stats;
  }

  #enabled(rule: RuleId): boolean {
    return !this.#options.rules || this.#options.rules.has(rule);
  }

  #location(site: number): SourceLocation | undefined {
    const found = this.#source.site(site);
    if (!found) return undefined;
    return { file: found.file, line: found.line, column: found.column, ...(found.functionName ? { functionName: found.functionName } : {}) };
  }

  #threadName(thread: number): string {
    return this.#source.threadName(thread);
  }

  #threadRef(thread: number): ThreadRef {
    return { id: thread, name: this.#threadName(thread) };
  }

  #lockName(lock: number): string {
    if (isAtomicLock(lock)) {
      const where = this.#atomicLocks.location(lock);
      const first = this.#location(this.#atomicLocks.firstAcquired.get(lock) ?? 0);
      const name = `Atomics lock at byte offset ${where?.offset} of buffer ${(where?.buffer ?? 0) % 2 ** 32}`;
      return first ? `${name} (taken at ${formatLocation(first, this.#options.cwd)})` : name;
    }
    const info = this.#objects.get(lock);
    if (info && (info.type === ObjectType.AsyncMutex || info.type === ObjectType.AsyncSemaphore)) {
      const created = this.#location(info.site);
      return `${info.type === ObjectType.AsyncMutex ? 'async Mutex' : 'async Semaphore'}${created ? ` created at ${formatLocation(created, this.#options.cwd)}` : ''}`;
    }
    const type = info ? objectTypeName(info.type) : 'lock';
    const created = info ? this.#location(info.site) : undefined;
    return created ? `${type} created at ${formatLocation(created, this.#options.cwd)}` : `${type} #${lock % 2 ** 32}`;
  }

  #lockRef(lock: number): LockRef {
    const info = this.#objects.get(lock);
    const created = info ? this.#location(info.site) : undefined;
    return { id: String(lock), name: this.#lockName(lock), ...(created ? { created } : {}) };
  }

  #locks(lockset: number): LockRef[] {
    return (this.#hb.locksets.sets[lockset] ?? []).filter((lock) => !isAtomicLock(lock) || this.#atomicLocks.isConfirmed(lock)).map((lock) => this.#lockRef(lock));
  }

  report(): Report {
    const findings = [...this.#findings];
    if (this.#enabled('data-race') || this.#enabled('unmodeled-sync')) {
      for (const race of this.#hb.races.values()) {
        const rule: RuleId = race.unmodeled ? 'unmodeled-sync' : 'data-race';
        if (this.#enabled(rule)) findings.push(this.#raceFinding(race, rule));
      }
    }
    if (this.#enabled('lock-order-inversion')) {
      const cycles = this.#graph.takeReport(
        (a, b) => this.#hb.canRunConcurrently(a, b),
        (edges) => this.#cycleShape(edges),
      );
      for (const cycle of cycles) {
        // Only words that behaved as locks throughout: a flag or counter seen "held" proves nothing.
        if (cycle.edges.some((edge) => isAtomicLock(edge.from) && !this.#atomicLocks.isConfirmed(edge.from))) continue;
        findings.push(this.#cycleFinding(cycle.edges, cycle.count));
      }
    }
    if (this.#enabled('thread-leak')) findings.push(...this.#leaks());
    findings.push(...this.#asyncFindings());
    findings.push(...(this.#options.extraFindings ?? []));
    return { version: 1, findings: sortFindings(findings), stats: this.#statistics(), cwd: this.#options.cwd, ...(this.#options.run ? { run: this.#options.run } : {}) };
  }

  /**
   * The primary side of a race does not depend on which thread happened to come second in this run: it is
   * the write (of a read/write pair), or of two writes the one later in the source.
   */
  #orderSides(race: Race): [primary: AccessSide, other: AccessSide] {
    const { earlier, later } = race;
    if (earlier.access !== later.access) return earlier.access === 'write' ? [earlier, later] : [later, earlier];
    const a = this.#location(earlier.site);
    const b = this.#location(later.site);
    const order = (a?.file ?? '').localeCompare(b?.file ?? '') || (a?.line ?? 0) - (b?.line ?? 0) || (a?.column ?? 0) - (b?.column ?? 0);
    return order > 0 ? [earlier, later] : [later, earlier];
  }

  #raceFinding(race: Race, rule: RuleId): Finding {
    const cwd = this.#options.cwd;
    const [primary, secondary] = this.#orderSides(race);
    const location = this.#location(primary.site);
    const otherLocation = this.#location(secondary.site);
    const thread = this.#threadRef(primary.thread);
    const other = this.#threadRef(secondary.thread);
    const locksHeld = this.#locks(primary.lockset);
    const where = `shared memory (buffer ${race.buffer % 2 ** 32}, byte offset ${race.offset})`;
    const message =
      rule === 'data-race'
        ? `Data race on ${where}: this ${primary.access} by thread '${thread.name}' is not ordered with a ${secondary.access} by thread '${other.name}'`
        : `Possible race on ${where}: this ${primary.access} by thread '${thread.name}' and a ${secondary.access} by thread '${other.name}' are ordered only by Atomics operations racecheck does not model; if they synchronise, say so with happensBefore/happensAfter`;
    return {
      ruleId: rule,
      severity: severityOf(rule),
      message,
      location,
      thread,
      locksHeld,
      access: primary.access,
      related: [this.#side(secondary, 'conflicting')],
      threads: uniqueThreads([thread, other]),
      count: race.count,
      fingerprint: fingerprintOf(rule, [location, otherLocation], cwd, [primary.access, secondary.access].sort().join('/')),
    };
  }

  #side(side: AccessSide, prefix: string): Finding['related'][number] {
    const thread = this.#threadRef(side.thread);
    const locksHeld = this.#locks(side.lockset);
    return {
      message: `${prefix} ${side.access} by thread '${thread.name}', ${describeLocks(locksHeld)}`,
      location: this.#location(side.site),
      thread,
      locksHeld,
      access: side.access,
    };
  }

  /** Cycles of the same lock classes (creation sites) and acquisition sites are one report. */
  #cycleShape(edges: CycleEdge[]): string {
    const parts = edges.map((edge) => {
      const from = this.#objects.get(edge.from)?.site ?? `#${edge.from}`;
      const to = this.#objects.get(edge.to)?.site ?? `#${edge.to}`;
      return `${from}>${to}@${edge.label.heldSite}/${edge.label.acquiredSite}`;
    });
    const rotations = parts.map((_, i) => [...parts.slice(i), ...parts.slice(0, i)].join('|'));
    return rotations.sort()[0]!;
  }

  #cycleFinding(edges: CycleEdge[], count: number): Finding {
    const cwd = this.#options.cwd;
    const last = edges[edges.length - 1]!;
    const names = edges.map((edge) => this.#lockName(edge.from));
    const location = this.#location(last.label.acquiredSite);
    const thread = this.#threadRef(last.label.thread);
    const related = edges.flatMap((edge) => {
      const edgeThread = this.#threadRef(edge.label.thread);
      return [
        {
          message: `thread '${edgeThread.name}' acquires ${this.#lockName(edge.to)} here while holding ${this.#lockName(edge.from)}`,
          location: this.#location(edge.label.acquiredSite),
          thread: edgeThread,
          locksHeld: [this.#lockRef(edge.from)],
        },
        {
          message: `thread '${edgeThread.name}' acquired ${this.#lockName(edge.from)} here`,
          location: this.#location(edge.label.heldSite),
          thread: edgeThread,
        },
      ];
    });
    return {
      ruleId: 'lock-order-inversion',
      severity: severityOf('lock-order-inversion'),
      message: `Lock-order inversion (potential deadlock): cycle in lock order graph: ${[...names, names[0]].join(' => ')}`,
      location,
      thread,
      locksHeld: [this.#lockRef(last.from)],
      related,
      threads: uniqueThreads(edges.map((edge) => this.#threadRef(edge.label.thread))),
      count,
      fingerprint: fingerprintOf('lock-order-inversion', edges.map((edge) => this.#location(edge.label.acquiredSite)), cwd),
    };
  }

  // ——— The event loop ———

  #asyncFindings(): Finding[] {
    const findings: Finding[] = [];
    if (this.#enabled('async-race')) for (const race of this.#async.races()) findings.push(this.#asyncRaceFinding(race));
    if (this.#enabled('lock-order-inversion')) {
      for (const { thread, cycle } of this.#async.lockCycles((edges) => this.#cycleShape(edges))) findings.push(this.#asyncCycleFinding(thread, cycle.edges, cycle.count));
    }
    if (this.#enabled('deadlock')) {
      const deadlocks = this.#async.deadlocks((lock) => isAsyncMutexType(this.#objects.get(lock)?.type));
      for (const deadlock of deadlocks) findings.push(this.#asyncDeadlockFinding(deadlock));
      for (const stuck of this.#async.stuckAwaits()) {
        const [first, ...others] = stuck.awaits;
        const location = this.#location(first!.site);
        const thread = this.#threadRef(stuck.thread);
        const count = stuck.awaits.length;
        findings.push({
          ruleId: 'deadlock',
          severity: severityOf('deadlock'),
          message: `The event loop ran out of work while ${count === 1 ? 'a task was' : `${count} tasks were`} still waiting: ${this.#taskName(stuck.thread, first!.task)} waits here for a promise that nothing will ever settle`,
          location,
          thread,
          related: others.map((other) => ({ message: `${this.#taskName(stuck.thread, other.task)} also never resumes from this await`, location: this.#location(other.site), thread })),
          threads: [thread],
          count: 1,
          fingerprint: fingerprintOf('deadlock', [location], this.#options.cwd, 'stuck-await'),
        });
      }
    }
    return findings;
  }

  /** `task 'deposit'` (named after its async function), or what else it is. */
  /**
   * A task, named after its async function: `task 'deposit'`, an anonymous one after the task that called it
   * or after where it is. Given the task a report is about (`first`), another task running the same function
   * is "another …".
   */
  #taskName(thread: number, task: number, first?: number): string {
    const info = this.#async.task(thread, task);
    const site = info ? this.#source.site(info.site) : undefined;
    if (!site) return task === 0 ? `the thread's own code` : `a callback task`;
    const again = first !== undefined && first !== task && this.#async.task(thread, first)?.site === info!.site;
    if (site.functionName) return again ? `another '${site.functionName}' task` : `task '${site.functionName}'`;
    // An anonymous async function (a runExclusive callback, say) is named after the task that called it.
    for (let caller = info!.parent, hops = 0; caller !== 0 && hops < 32; hops++) {
      const callerInfo = this.#async.task(thread, caller);
      const name = callerInfo ? this.#source.site(callerInfo.site)?.functionName : undefined;
      if (name) return `${again ? 'another' : 'an'} async callback of task '${name}'`;
      caller = callerInfo?.parent ?? 0;
    }
    return again ? 'another task of the same function' : `the task of the async function at ${formatLocation(this.#location(info!.site), this.#options.cwd)}`;
  }

  #stateName(race: AsyncRace): string {
    // A variable's key is its declaration's site; a property's is a site with no file, named after it.
    const site = this.#source.site(race.key);
    const name = site?.functionName || '?';
    if (!site?.file) return `property '${name}' of an object shared by tasks`;
    return `variable '${name}'`;
  }

  #asyncRaceFinding(race: AsyncRace): Finding {
    const cwd = this.#options.cwd;
    const { write, other, thread: threadId } = race;
    const location = this.#location(write.site);
    const otherLocation = this.#location(other.site);
    const thread = this.#threadRef(threadId);
    const writer = this.#taskName(threadId, write.task);
    const rival = this.#taskName(threadId, other.task, write.task);
    const state = this.#stateName(race);
    const related: Finding['related'] = [
      { message: `${writer} read ${state} here`, location: this.#location(write.stale!.readSite), thread },
      { message: `then awaited here: other tasks may run before it resumes`, location: this.#location(write.stale!.awaitSite), thread },
      { message: `${rival} writes ${state} here, not ordered with the write-back`, location: otherLocation, thread },
    ];
    if (other.stale && other.stale.readSite !== write.stale!.readSite) related.push({ message: `${rival} wrote back a value it read here, before an await`, location: this.#location(other.stale.readSite), thread });
    if (this.#source.site(race.key)?.file) related.push({ message: `${state} is declared here`, location: this.#location(race.key), thread });
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
      fingerprint: fingerprintOf('async-race', [this.#location(write.stale!.readSite), location, otherLocation], cwd),
    };
  }

  #asyncCycleFinding(threadId: number, edges: CycleEdge[], count: number): Finding {
    const cwd = this.#options.cwd;
    const last = edges[edges.length - 1]!;
    const names = edges.map((edge) => this.#lockName(edge.from));
    const location = this.#location(last.label.acquiredSite);
    const thread = this.#threadRef(threadId);
    const related = edges.flatMap((edge) => {
      const task = this.#taskName(threadId, edge.label.thread, edges[0]!.label.thread);
      return [
        { message: `${task} acquires ${this.#lockName(edge.to)} here while holding ${this.#lockName(edge.from)}`, location: this.#location(edge.label.acquiredSite), thread, locksHeld: [this.#lockRef(edge.from)] },
        { message: `${task} acquired ${this.#lockName(edge.from)} here`, location: this.#location(edge.label.heldSite), thread },
      ];
    });
    return {
      ruleId: 'lock-order-inversion',
      severity: severityOf('lock-order-inversion'),
      message: `Lock-order inversion between async tasks (potential deadlock): ${[...names, names[0]].join(' => ')}`,
      location,
      thread,
      locksHeld: [this.#lockRef(last.from)],
      related,
      threads: [thread],
      count,
      fingerprint: fingerprintOf('lock-order-inversion', edges.map((edge) => this.#location(edge.label.acquiredSite)), cwd),
    };
  }

  #asyncDeadlockFinding(deadlock: AsyncDeadlock): Finding {
    const cwd = this.#options.cwd;
    const thread = this.#threadRef(deadlock.thread);
    const [first] = deadlock.waits;
    const location = this.#location(first!.site);
    const waiter = this.#taskName(deadlock.thread, first!.task);
    const lock = this.#lockName(first!.lock);
    let message: string;
    if (deadlock.kind === 'self') {
      message = `Deadlock: ${waiter} waits for ${lock}, which ${first!.holder!.task === first!.task ? 'it already holds' : `${this.#taskName(deadlock.thread, first!.holder!.task, first!.task)} holds while waiting for it`}; async mutexes are not reentrant, so it waits forever`;
    } else if (deadlock.kind === 'cycle') {
      message = `Deadlock between async tasks: ${deadlock.waits.map((wait) => `${this.#taskName(deadlock.thread, wait.task, first!.task)} waits for ${this.#lockName(wait.lock)}`).join(', ')}; each lock is held by the next task, so none can go on`;
    } else {
      message = first!.holder
        ? `Deadlock: ${waiter} waits for ${lock}, which ${this.#taskName(deadlock.thread, first!.holder.task, first!.task)} took and never released; the event loop ran out of work with the task still waiting`
        : `Deadlock: ${waiter} waits for ${lock}, which has no permit left and nothing releases; the event loop ran out of work with the task still waiting`;
    }
    const related: Finding['related'] = deadlock.waits.flatMap((wait, i) => [
      ...(i > 0 ? [{ message: `${this.#taskName(deadlock.thread, wait.task, first!.task)} waits for ${this.#lockName(wait.lock)} here`, location: this.#location(wait.site), thread }] : []),
      ...(wait.holder ? [{ message: `${this.#taskName(deadlock.thread, wait.holder.task, first!.task)} acquired ${this.#lockName(wait.lock)} here`, location: this.#location(wait.holder.site), thread, locksHeld: [this.#lockRef(wait.lock)] }] : []),
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
      fingerprint: fingerprintOf('deadlock', deadlock.waits.map((wait) => this.#location(wait.site)), cwd, `async-${deadlock.kind}`),
    };
  }

  #leaks(): Finding[] {
    const leaks: Finding[] = [];
    for (const [object, spawn] of this.#spawned) {
      if (spawn.daemon || this.#joined.has(object)) continue;
      const location = this.#location(spawn.site);
      const parent = this.#threadRef(spawn.thread);
      const child = this.#threadRef(spawn.child);
      leaks.push({
        ruleId: 'thread-leak',
        severity: severityOf('thread-leak'),
        message: `Thread '${child.name}' was started here and never joined: the program cannot know it finished, or how`,
        location,
        thread: parent,
        related: [],
        threads: uniqueThreads([parent, child]),
        count: 1,
        fingerprint: fingerprintOf('thread-leak', [location], this.#options.cwd),
      });
    }
    return leaks;
  }

  #statistics(): LockStatistics[] {
    return [...this.#stats.entries()].map(([lock, stats]) => {
      const holdLongestAt = this.#location(stats.holdLongestSite);
      return {
        lock: this.#lockRef(lock),
        acquisitions: stats.acquisitions,
        contended: stats.contended,
        waitTotal: stats.waitTotal,
        waitLongest: stats.waitLongest,
        holdLongest: stats.holdLongest,
        ...(holdLongestAt ? { holdLongestAt } : {}),
      };
    });
  }
}

function uniqueThreads(threads: ThreadRef[]): ThreadRef[] {
  const seen = new Map<number, ThreadRef>();
  for (const thread of threads) seen.set(thread.id, thread);
  return [...seen.values()];
}
