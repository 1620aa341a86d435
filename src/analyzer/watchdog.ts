/**
 * The deadlock watchdog: follows, as the collector drains them, who holds which lock and who is blocked on
 * what, and ends the run when a deadlock is real — threads waiting for each other in a cycle (while others
 * may still run), or every live thread blocked on a racecheck primitive — once it has lasted the grace
 * period. The verdict carries a `deadlock` finding with the wait-for chain: who waits for what, where, and
 * who holds it. It also ends runs that pass their time limit.
 *
 * Records arrive per lane, so across threads they are not in order; lock ownership follows the global
 * sequence numbers the records carry, so a release seen after the next acquire cannot undo it.
 */
import { fingerprintOf, formatLocation, severityOf, type Finding, type RelatedLocation, type SourceLocation, type ThreadRef } from '../core/findings.js';
import { AtomicLockTracker, isAtomicLock, lockTransition } from './atomic-locks.js';
import {
  AcquireMode,
  AtomicDetail,
  carriesText,
  decodeRecord,
  decodeSite,
  emptyRecord,
  EventKind,
  isAtomicsKind,
  joinObjectId,
  ObjectType,
  objectTypeName,
  Record,
  textSlots,
  type Site,
} from '../tracer/schema.js';

export interface WatchdogOptions {
  /** How long a deadlock must last before the run is ended, in ms. */
  graceMs: number;
  /** End the run after this many ms (undefined: no limit). */
  timeoutMs?: number;
  cwd: string;
}

interface Blocked {
  kind: number;
  object: number;
  site: number;
  since: number;
}

interface ThreadInfo {
  id: number;
  live: boolean;
  blocked?: Blocked;
}

interface Verdict {
  endedBy: string;
  findings: Finding[];
}

const textDecoder = new TextDecoder();

export class DeadlockWatchdog {
  readonly #options: WatchdogOptions;
  readonly #started = Date.now();
  readonly #laneThread = new Map<number, number>();
  readonly #threads = new Map<number, ThreadInfo>();
  readonly #owners = new Map<number, { thread: number; seq: number; site: number }>();
  readonly #objects = new Map<number, { type: number; site: number }>();
  readonly #threadOfObject = new Map<number, number>();
  readonly #record = emptyRecord();
  readonly #sites = new Map<number, Site>();
  readonly #names = new Map<number, string>();
  /** Only for lock ids and names: ownership here follows sequence numbers, as for primitives. */
  readonly #atomicLocks = new AtomicLockTracker();
  #lastActivity = Date.now();
  #suspect: { key: string; since: number } | undefined;

  constructor(options: WatchdogOptions) {
    this.#options = options;
  }

  #thread(id: number): ThreadInfo {
    let info = this.#threads.get(id);
    if (!info) {
      info = { id, live: true };
      this.#threads.set(id, info);
    }
    return info;
  }

  records(lane: number, bytes: Uint8Array): void {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const floats = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    const now = Date.now();
    this.#lastActivity = now;
    const record = this.#record;
    const count = words.length / Record.WORDS;
    for (let index = 0; index < count; index++) {
      const { kind, objectLo, arg } = decodeRecord(words, floats, index, record);
      if (carriesText(kind)) {
        const start = bytes.byteOffset + (index + 1) * Record.BYTES;
        const text = textDecoder.decode(new Uint8Array(bytes.buffer, start, arg).slice());
        if (kind === EventKind.SiteDefine) this.#sites.set(objectLo, decodeSite(text));
        else this.#names.set(objectLo, text);
        index += textSlots(arg);
        continue;
      }
      if (kind === EventKind.LaneAttach) {
        this.#laneThread.set(lane, arg);
        this.#thread(arg).live = true;
        continue;
      }
      const threadId = this.#laneThread.get(lane) ?? -1;
      if (kind === EventKind.LaneDetach) {
        this.#thread(threadId).live = false;
        continue;
      }
      const object = joinObjectId(record.objectHi, objectLo);
      const { site, seq, detail } = record;
      const time = record.time || now;
      const timed = record.width === 1;
      if (isAtomicsKind(kind)) {
        this.#atomicEvent(this.#thread(threadId), kind, object, site, arg, seq, time, detail);
        continue;
      }
      this.#event(this.#thread(threadId), kind, object, site, arg, seq, time, timed);
    }
  }

  #event(thread: ThreadInfo, kind: number, object: number, site: number, arg: number, seq: number, time: number, timed: boolean): void {
    switch (kind) {
      case EventKind.ObjectCreate:
        this.#objects.set(object, { type: arg, site });
        return;
      case EventKind.ThreadSpawn:
        this.#threadOfObject.set(object, arg);
        // The new thread is running (starting up) until it says otherwise: it may be about to release
        // everyone, even before its first event.
        this.#thread(arg);
        thread.blocked = undefined;
        return;
      case EventKind.LockAttempt:
        // Only an acquisition without a timeout can wait forever.
        thread.blocked = arg === AcquireMode.Blocking ? { kind, object, site, since: time } : undefined;
        return;
      case EventKind.LockAcquired: {
        thread.blocked = undefined;
        const owner = this.#owners.get(object);
        if (!owner || seq - owner.seq > 0) this.#owners.set(object, { thread: thread.id, seq, site });
        return;
      }
      case EventKind.LockRelease: {
        thread.blocked = undefined;
        const owner = this.#owners.get(object);
        if (owner && seq - owner.seq > 0) this.#owners.delete(object);
        return;
      }
      case EventKind.BlockBegin:
      case EventKind.ConditionWaitBegin:
      case EventKind.EventWaitBegin:
      case EventKind.BarrierArrive:
        thread.blocked = timed ? undefined : { kind, object, site, since: time };
        return;
      case EventKind.ThreadExit:
        thread.blocked = undefined;
        return;
      case EventKind.AsyncInit:
      case EventKind.AsyncBefore:
      case EventKind.AsyncAfter:
      case EventKind.PromiseResolve:
      case EventKind.AsyncTaskEnter:
      case EventKind.AsyncJoin:
        // The event loop's own bookkeeping (an async wait polls, settles and re-arms promises): not progress.
        return;
      default:
        // Any other event means the thread is running (a barrier's last arrival, a condition waiter that
        // re-takes its lock, …).
        thread.blocked = undefined;
    }
  }

  /**
   * Atomics: a thread in Atomics.wait without a timeout is blocked; one waiting for a non-zero word that a
   * hand-written lock's holder made non-zero waits for that holder (see atomic-locks.ts for the pattern).
   */
  #atomicEvent(thread: ThreadInfo, kind: number, buffer: number, site: number, offset: number, seq: number, time: number, detail: number): void {
    const lock = this.#atomicLocks.idOf(buffer, offset);
    if (kind === EventKind.AtomicWaitBegin) {
      const waitsForHolder = (detail & AtomicDetail.WaitsOnNonZero) !== 0;
      thread.blocked = (detail & AtomicDetail.Timed) !== 0 ? undefined : { kind: waitsForHolder ? EventKind.LockAttempt : kind, object: lock, site, since: time };
      return;
    }
    thread.blocked = undefined;
    const owner = this.#owners.get(lock);
    const transition = lockTransition(kind, detail);
    if (transition === 'acquire') {
      if (!owner || seq - owner.seq > 0) this.#owners.set(lock, { thread: thread.id, seq, site });
    } else if (transition === 'release') {
      if (owner && seq - owner.seq > 0) this.#owners.delete(lock);
    }
  }

  check(now: number): Verdict | undefined {
    const { graceMs, timeoutMs } = this.#options;
    const cycle = this.#waitForCycle();
    const live = [...this.#threads.values()].filter((t) => t.live);
    const everyoneBlocked = live.length > 0 && live.every((t) => t.blocked !== undefined) && now - this.#lastActivity >= graceMs;
    const stuck = cycle ?? (everyoneBlocked ? live : undefined);
    if (stuck) {
      const key = stuck.map((t) => `${t.id}:${t.blocked?.object}`).join(',');
      if (this.#suspect?.key !== key) this.#suspect = { key, since: now };
      if (now - this.#suspect.since >= graceMs || (!cycle && everyoneBlocked)) {
        return { endedBy: 'deadlock', findings: [this.#finding(stuck, cycle !== undefined)] };
      }
    } else {
      this.#suspect = undefined;
    }
    if (timeoutMs !== undefined && now - this.#started >= timeoutMs) return { endedBy: 'timeout', findings: [] };
    return undefined;
  }

  /** The thread that `t` waits for, when it waits for a lock someone holds or a thread to end. */
  #waitsFor(t: ThreadInfo): ThreadInfo | undefined {
    const blocked = t.blocked;
    if (!blocked) return undefined;
    if (blocked.kind === EventKind.LockAttempt) {
      // A thread waiting for a lock it holds itself (a non-reentrant lock taken again) waits for itself.
      const owner = this.#owners.get(blocked.object);
      return owner ? this.#threads.get(owner.thread) : undefined;
    }
    if (blocked.kind === EventKind.BlockBegin && this.#objects.get(blocked.object)?.type === ObjectType.Thread) {
      const child = this.#threadOfObject.get(blocked.object);
      return child === undefined ? undefined : this.#threads.get(child);
    }
    return undefined;
  }

  #waitForCycle(): ThreadInfo[] | undefined {
    for (const start of this.#threads.values()) {
      const path: ThreadInfo[] = [];
      const seen = new Set<number>();
      let current: ThreadInfo | undefined = start;
      while (current && current.live && !seen.has(current.id)) {
        seen.add(current.id);
        path.push(current);
        current = this.#waitsFor(current);
      }
      // Back at the start: a cycle (of one when a thread waits for a lock it holds). A start that is not
      // live walks nowhere and is no cycle.
      if (current && current.id === start.id && path.length > 0) return path;
    }
    return undefined;
  }

  #location(site: number): SourceLocation | undefined {
    const found = this.#sites.get(site);
    if (!found) return undefined;
    return { file: found.file, line: found.line, column: found.column, ...(found.functionName ? { functionName: found.functionName } : {}) };
  }

  #ref(thread: number): ThreadRef {
    return { id: thread, name: this.#names.get(thread) ?? (thread === 0 ? 'main' : `thread ${thread}`) };
  }

  #objectName(object: number): string {
    if (isAtomicLock(object)) {
      const where = this.#atomicLocks.location(object);
      return `the Atomics word at byte offset ${where?.offset} of buffer ${(where?.buffer ?? 0) % 2 ** 32}`;
    }
    const info = this.#objects.get(object);
    const created = info ? this.#location(info.site) : undefined;
    const type = info ? objectTypeName(info.type) : 'object';
    return created ? `${type} created at ${formatLocation(created, this.#options.cwd)}` : `${type} #${object % 2 ** 32}`;
  }

  #finding(found: ThreadInfo[], cycle: boolean): Finding {
    const cwd = this.#options.cwd;
    // Told the same way whichever thread got stuck first: a cycle from its lowest thread id, in its order.
    const first = found.reduce((lowest, t, i) => (t.id < found[lowest]!.id ? i : lowest), 0);
    const threads = cycle ? [...found.slice(first), ...found.slice(0, first)] : [...found].sort((a, b) => a.id - b.id);
    const related: RelatedLocation[] = threads.map((t) => {
      const blocked = t.blocked!;
      const owner = blocked.kind === EventKind.LockAttempt ? this.#owners.get(blocked.object) : undefined;
      const holder = owner ? `, held by thread '${this.#ref(owner.thread).name}' since ${formatLocation(this.#location(owner.site), cwd)}` : '';
      return {
        message: `thread '${this.#ref(t.id).name}' waits for ${this.#objectName(blocked.object)}${holder}`,
        location: this.#location(blocked.site),
        thread: this.#ref(t.id),
      };
    });
    // The primary location does not depend on which thread got stuck first: the first wait in source order.
    const ordered = related
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (a.r.location?.file ?? '').localeCompare(b.r.location?.file ?? '') || (a.r.location?.line ?? 0) - (b.r.location?.line ?? 0));
    const primary = ordered[0]!.r;
    const names = threads.map((t) => `'${this.#ref(t.id).name}'`);
    const after = `racecheck ended the program after ${this.#options.graceMs} ms`;
    let message: string;
    if (cycle && threads.length === 1) {
      message = `Deadlock: thread ${names[0]} waits for ${this.#objectName(threads[0]!.blocked!.object)}, which it holds itself: the lock is not reentrant, so it waits forever; ${after}`;
    } else if (cycle) {
      message = `Deadlock: threads ${names.join(', ')} wait for each other in a cycle; ${after}`;
    } else {
      message = `Deadlock: every thread is blocked (${names.join(', ')}); ${after}`;
    }
    return {
      ruleId: 'deadlock',
      severity: severityOf('deadlock'),
      message,
      ...(primary.location ? { location: primary.location } : {}),
      ...(primary.thread ? { thread: primary.thread } : {}),
      related,
      threads: threads.map((t) => this.#ref(t.id)),
      count: 1,
      fingerprint: fingerprintOf('deadlock', related.map((r) => r.location), cwd),
    };
  }
}

/** The collector's thread (session/collector-worker.ts) makes one to watch the records it drains. */
export function createObserver(options: WatchdogOptions): DeadlockWatchdog {
  return new DeadlockWatchdog(options);
}
