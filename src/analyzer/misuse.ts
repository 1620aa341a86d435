/**
 * Misuse of the primitives, seen as it happens: a thread acquiring a (non-reentrant) lock it already holds,
 * a lock released by a thread that did not acquire it, a thread ending with a lock held, a thread started
 * and never joined. Each is reported once per object.
 */
import { fingerprintOf, severityOf, type Finding, type RuleId } from '../core/findings.js';
import { AcquireMode, ObjectType, type TraceEvent } from '../tracer/schema.js';
import { isAtomicLock } from './atomic-locks.js';
import { uniqueThreads, type Namer } from './naming.js';

interface Spawn {
  site: number;
  thread: number;
  child: number;
  daemon: boolean;
}

export class MisuseChecks {
  readonly findings: Finding[] = [];
  readonly #names: Namer;
  readonly #enabled: (rule: RuleId) => boolean;
  readonly #reported = new Set<string>();
  readonly #spawned = new Map<number, Spawn>();
  readonly #joined = new Set<number>();

  constructor(names: Namer, enabled: (rule: RuleId) => boolean) {
    this.#names = names;
    this.#enabled = enabled;
  }

  /** A blocking acquire of a lock its thread holds already waits for itself (an RLock is reentrant). */
  attempt(event: TraceEvent, lock: number, owner: number | undefined): void {
    if (owner !== event.thread || event.arg !== AcquireMode.Blocking || this.#names.objects.get(lock)?.type === ObjectType.RLock) return;
    const n = this.#names;
    this.#misuse(`relock:${lock}`, event, `thread '${n.threadName(event.thread)}' acquires ${n.lockName(lock)} that it already holds: it will wait until another thread releases it, or forever`, lock);
  }

  release(event: TraceEvent, lock: number, owner: number | undefined): void {
    if (owner === undefined || owner === event.thread) return;
    const n = this.#names;
    this.#misuse(`foreign-release:${lock}`, event, `${n.lockName(lock)} is released by thread '${n.threadName(event.thread)}' but was acquired by thread '${n.threadName(owner)}'`, lock);
  }

  spawned(thread: number, event: TraceEvent): void {
    this.#spawned.set(thread, { site: event.site, thread: event.thread, child: event.arg, daemon: event.width === 1 });
  }

  joined(thread: number): void {
    this.#joined.add(thread);
  }

  /** A thread ended: every lock it still holds (its lockset, as the happens-before checker keeps it) is lost. */
  exited(event: TraceEvent): void {
    const n = this.#names;
    const state = n.hb.threads.get(event.thread);
    for (const held of state?.held ?? []) {
      // An Atomics word left non-zero is as often a flag as a lock: not reported.
      if (isAtomicLock(held.lock)) continue;
      if (!this.#enabled('lock-held-at-exit') || this.#reported.has(`held:${held.lock}`)) continue;
      this.#reported.add(`held:${held.lock}`);
      const location = n.location(held.site);
      const thread = n.threadRef(event.thread);
      const endedAt = n.location(event.site);
      this.findings.push({
        ruleId: 'lock-held-at-exit',
        severity: severityOf('lock-held-at-exit'),
        message: `Thread '${thread.name}' ended while holding ${n.lockName(held.lock)}: no other thread can ever take it`,
        location,
        thread,
        locksHeld: [n.lockRef(held.lock)],
        related: endedAt ? [{ message: `thread '${thread.name}' ended here`, location: endedAt, thread }] : [],
        threads: [thread],
        count: 1,
        fingerprint: fingerprintOf('lock-held-at-exit', [location], n.cwd),
      });
    }
  }

  /** Threads started and never joined (daemons aside). */
  leaks(): Finding[] {
    const n = this.#names;
    const leaks: Finding[] = [];
    for (const [object, spawn] of this.#spawned) {
      if (spawn.daemon || this.#joined.has(object)) continue;
      const location = n.location(spawn.site);
      const parent = n.threadRef(spawn.thread);
      const child = n.threadRef(spawn.child);
      leaks.push({
        ruleId: 'thread-leak',
        severity: severityOf('thread-leak'),
        message: `Thread '${child.name}' was started here and never joined: the program cannot know it finished, or how`,
        location,
        thread: parent,
        related: [],
        threads: uniqueThreads([parent, child]),
        count: 1,
        fingerprint: fingerprintOf('thread-leak', [location], n.cwd),
      });
    }
    return leaks;
  }

  #misuse(key: string, event: TraceEvent, message: string, lock: number): void {
    if (!this.#enabled('primitive-misuse') || this.#reported.has(key)) return;
    this.#reported.add(key);
    const n = this.#names;
    const location = n.location(event.site);
    const thread = n.threadRef(event.thread);
    const created = n.objects.get(lock);
    this.findings.push({
      ruleId: 'primitive-misuse',
      severity: severityOf('primitive-misuse'),
      message,
      location,
      thread,
      related: created ? [{ message: `${n.lockName(lock)} was created here`, location: n.location(created.site) }] : [],
      threads: [thread],
      count: 1,
      fingerprint: fingerprintOf('primitive-misuse', [location], n.cwd, key.split(':')[0]),
    });
  }
}
