/**
 * How findings name what they are about: source locations, threads, locks (racecheck's primitives by
 * creation site, async-mutex locks, hand-written Atomics locks by where they live and were first taken),
 * async tasks (after their function, or their caller) and the state tasks share.
 */
import { formatLocation, type LockRef, type SourceLocation, type ThreadRef } from '../core/findings.js';
import { ObjectType, objectTypeName } from '../tracer/schema.js';
import type { AsyncAnalyzer, AsyncRace } from './async-races.js';
import { isAtomicLock, type AtomicLockTracker } from './atomic-locks.js';
import type { HappensBeforeChecker } from './happens-before.js';
import type { TraceSource } from './analyze.js';

/** What the trace said of an object when it was created. */
export interface ObjectInfo {
  type: number;
  site: number;
  thread: number;
}

export class Namer {
  constructor(
    readonly source: TraceSource,
    readonly cwd: string,
    readonly objects: ReadonlyMap<number, ObjectInfo>,
    readonly atomicLocks: AtomicLockTracker,
    readonly hb: HappensBeforeChecker,
    readonly tasks: AsyncAnalyzer,
  ) {}

  location(site: number): SourceLocation | undefined {
    const found = this.source.site(site);
    if (!found) return undefined;
    return { file: found.file, line: found.line, column: found.column, ...(found.functionName ? { functionName: found.functionName } : {}) };
  }

  threadName(thread: number): string {
    return this.source.threadName(thread);
  }

  threadRef(thread: number): ThreadRef {
    return { id: thread, name: this.threadName(thread) };
  }

  lockName(lock: number): string {
    if (isAtomicLock(lock)) {
      const where = this.atomicLocks.location(lock);
      const first = this.location(this.atomicLocks.firstAcquired.get(lock) ?? 0);
      const name = `Atomics lock at byte offset ${where?.offset} of buffer ${(where?.buffer ?? 0) % 2 ** 32}`;
      return first ? `${name} (taken at ${formatLocation(first, this.cwd)})` : name;
    }
    const info = this.objects.get(lock);
    if (info && (info.type === ObjectType.AsyncMutex || info.type === ObjectType.AsyncSemaphore)) {
      const created = this.location(info.site);
      return `${info.type === ObjectType.AsyncMutex ? 'async Mutex' : 'async Semaphore'}${created ? ` created at ${formatLocation(created, this.cwd)}` : ''}`;
    }
    const type = info ? objectTypeName(info.type) : 'lock';
    const created = info ? this.location(info.site) : undefined;
    return created ? `${type} created at ${formatLocation(created, this.cwd)}` : `${type} #${lock % 2 ** 32}`;
  }

  lockRef(lock: number): LockRef {
    const info = this.objects.get(lock);
    const created = info ? this.location(info.site) : undefined;
    return { id: String(lock), name: this.lockName(lock), ...(created ? { created } : {}) };
  }

  /** The locks of a lockset that are locks for sure (an Atomics word only once it behaved as one throughout). */
  locks(lockset: number): LockRef[] {
    return (this.hb.locksets.sets[lockset] ?? []).filter((lock) => !isAtomicLock(lock) || this.atomicLocks.isConfirmed(lock)).map((lock) => this.lockRef(lock));
  }

  /**
   * A task, named after its async function: `task 'deposit'`, an anonymous one after the task that called it
   * or after where it is. Given the task a report is about (`first`), another task running the same function
   * is "another …".
   */
  taskName(thread: number, task: number, first?: number): string {
    const info = this.tasks.task(thread, task);
    const site = info ? this.source.site(info.site) : undefined;
    if (!site) return task === 0 ? `the thread's own code` : `a callback task`;
    const again = first !== undefined && first !== task && this.tasks.task(thread, first)?.site === info!.site;
    if (site.functionName) return again ? `another '${site.functionName}' task` : `task '${site.functionName}'`;
    // An anonymous async function (a runExclusive callback, say) is named after the task that called it.
    for (let caller = info!.parent, hops = 0; caller !== 0 && hops < 32; hops++) {
      const callerInfo = this.tasks.task(thread, caller);
      const name = callerInfo ? this.source.site(callerInfo.site)?.functionName : undefined;
      if (name) return `${again ? 'another' : 'an'} async callback of task '${name}'`;
      caller = callerInfo?.parent ?? 0;
    }
    return again ? 'another task of the same function' : `the task of the async function at ${formatLocation(this.location(info!.site), this.cwd)}`;
  }

  stateName(race: AsyncRace): string {
    // A variable's key is its declaration's site; a property's is a site with no file, named after it.
    const site = this.source.site(race.key);
    const name = site?.functionName || '?';
    if (!site?.file) return `property '${name}' of an object shared by tasks`;
    return `variable '${name}'`;
  }
}

export function uniqueThreads(threads: ThreadRef[]): ThreadRef[] {
  const seen = new Map<number, ThreadRef>();
  for (const thread of threads) seen.set(thread.id, thread);
  return [...seen.values()];
}
