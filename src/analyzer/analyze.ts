/**
 * From a trace's events to a report — the driver: hands each event of the merged stream to the checkers
 * (happens-before, lock-order graph, hand-written Atomics locks, event-loop tasks), the misuse checks
 * (misuse.ts) and the lock bookkeeping (held-locks.ts, lock-stats.ts), then asks each for its findings
 * (findings/). Pure: events, sites and thread names in; a Report out.
 */
import { sortFindings, type Finding, type Report, type RuleId, type RunInfo } from '../core/findings.js';
import { AcquireMode, EventKind, joinObjectId, type Site, type TraceEvent } from '../tracer/schema.js';
import { AsyncAnalyzer } from './async-races.js';
import { AtomicLockTracker, isAtomicLock } from './atomic-locks.js';
import { asyncFindings } from './findings/async.js';
import { cycleFinding, cycleShape, raceFinding } from './findings/threads.js';
import { HappensBeforeChecker } from './happens-before.js';
import { HeldLocks } from './held-locks.js';
import { LockGraph } from './lock-graph.js';
import { LockStatisticsTracker } from './lock-stats.js';
import { MisuseChecks } from './misuse.js';
import { Namer, type ObjectInfo } from './naming.js';

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

export function analyzeTrace(source: TraceSource, options: AnalyzeOptions): Report {
  return analyzeRun(source, options).report;
}

/** The report, and which threads the trace saw end (they exited, or their parent saw them exit or terminated them). */
export function analyzeRun(source: TraceSource, options: AnalyzeOptions): { report: Report; endedThreads: ReadonlySet<number> } {
  const analysis = new Analysis(source, options);
  for (const event of source.events()) analysis.process(event);
  return { report: analysis.report(), endedThreads: analysis.endedThreads };
}

class Analysis {
  readonly #options: AnalyzeOptions;
  readonly #hb = new HappensBeforeChecker();
  readonly #graph = new LockGraph();
  readonly #atomicLocks = new AtomicLockTracker();
  readonly #async = new AsyncAnalyzer();
  readonly #objects = new Map<number, ObjectInfo>();
  readonly #held = new HeldLocks();
  readonly #stats = new LockStatisticsTracker();
  readonly #names: Namer;
  readonly #misuse: MisuseChecks;
  readonly #enabled = (rule: RuleId): boolean => !this.#options.rules || this.#options.rules.has(rule);
  /** Spawn tokens → the thread that started under each. */
  readonly #startedAs = new Map<number, number>();
  readonly endedThreads = new Set<number>();

  constructor(source: TraceSource, options: AnalyzeOptions) {
    this.#options = options;
    this.#names = new Namer(source, options.cwd, this.#objects, this.#atomicLocks, this.#hb, this.#async);
    this.#misuse = new MisuseChecks(this.#names, this.#enabled);
  }

  process(event: TraceEvent): void {
    const object = joinObjectId(event.objectHi, event.objectLo);
    switch (event.kind) {
      case EventKind.ObjectCreate:
        this.#objects.set(object, { type: event.arg, site: event.site, thread: event.thread });
        break;
      case EventKind.LockAttempt:
        this.#misuse.attempt(event, object, this.#held.owner(object));
        this.#held.attempt(event.thread, object, event.time);
        break;
      case EventKind.LockAcquired: {
        const attempt = this.#held.acquired(event.thread, object, event.time, event.site);
        this.#graph.afterLock(event.thread, object, event.site, event.arg === AcquireMode.Blocking);
        this.#stats.acquired(object, event.time, attempt);
        break;
      }
      case EventKind.LockRelease: {
        const owner = this.#held.owner(object);
        this.#misuse.release(event, object, owner);
        const hold = this.#held.released(object);
        this.#graph.beforeUnlock(owner ?? event.thread, object);
        this.#stats.released(object, event.time, hold);
        break;
      }
      case EventKind.ThreadSpawn:
        this.#misuse.spawned(object, event);
        break;
      case EventKind.ThreadStart:
        this.#startedAs.set(object, event.thread);
        break;
      case EventKind.ThreadJoin: {
        this.#misuse.joined(object);
        const child = this.#startedAs.get(object);
        if (child !== undefined) this.endedThreads.add(child);
        break;
      }
      case EventKind.ThreadExit:
        this.#misuse.exited(event);
        this.endedThreads.add(event.thread);
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

  report(): Report {
    const names = this.#names;
    const enabled = this.#enabled;
    const findings = [...this.#misuse.findings];
    if (enabled('data-race')) for (const race of this.#hb.races.values()) findings.push(raceFinding(names, race));
    if (enabled('lock-order-inversion')) {
      const cycles = this.#graph.takeReport(
        (a, b) => this.#hb.canRunConcurrently(a, b),
        (edges) => cycleShape(names, edges),
      );
      for (const cycle of cycles) {
        // Only words that behaved as locks throughout: a flag or counter seen "held" proves nothing.
        if (cycle.edges.some((edge) => isAtomicLock(edge.from) && !this.#atomicLocks.isConfirmed(edge.from))) continue;
        findings.push(cycleFinding(names, cycle.edges, cycle.count));
      }
    }
    if (enabled('thread-leak')) findings.push(...this.#misuse.leaks());
    findings.push(...asyncFindings(names, enabled));
    findings.push(...(this.#options.extraFindings ?? []));
    return { version: 1, findings: sortFindings(findings), stats: this.#stats.statistics(names), cwd: this.#options.cwd, ...(this.#options.run ? { run: this.#options.run } : {}) };
  }
}
