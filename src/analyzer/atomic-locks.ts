/**
 * Hand-written locks seen through their Atomics operations alone. A location is taken as a lock by the
 * pattern every common implementation shares, whatever its loop looks like:
 *
 * - acquire: a read-modify-write by thread T changes the value from zero to non-zero
 *   (`compareExchange(l, 0, 1)` succeeding, `exchange(l, 1)` returning 0, a futex mutex's
 *   `exchange(l, 2)` returning 0);
 * - release: T makes it zero again (`store(l, 0)`, `exchange(l, 0)`, `sub(l, 1)` from 1,
 *   `compareExchange(l, 1, 0)`).
 *
 * The location is held by T in between. It counts as a lock (for lock-order cycles) once its holder has
 * released it at least once and nobody else ever zeroed it while it was held: a flag set once, a counter,
 * or a semaphore-like word released by another thread never qualifies. Ticket locks and other designs
 * whose free state is not zero are not recognised (their Atomics still order memory for the race check).
 *
 * The happens-before edges of such locks come from the Atomics events themselves; this only says who
 * holds what, for lock-order cycles, for the locks named in race reports and for the deadlock watchdog.
 */
import { AtomicDetail, EventKind } from '../tracer/schema.js';

/** Lock ids of Atomics locks, apart from primitives' object ids (which stay below 2^52). */
export const ATOMIC_LOCK_BASE = 2 ** 52;

export function isAtomicLock(id: number): boolean {
  return id >= ATOMIC_LOCK_BASE;
}

/**
 * What an Atomics event did to a possible lock word: `acquire` (a read-modify-write from zero to
 * non-zero), `release` (a store or read-modify-write to zero), or nothing.
 */
export function lockTransition(kind: number, detail: number): 'acquire' | 'release' | undefined {
  if (kind === EventKind.AtomicReadModifyWrite && (detail & AtomicDetail.OldZero) !== 0 && (detail & AtomicDetail.NewZero) === 0) return 'acquire';
  if ((kind === EventKind.AtomicReadModifyWrite || kind === EventKind.AtomicStore) && (detail & AtomicDetail.NewZero) !== 0) return 'release';
  return undefined;
}

export interface AtomicLockChange {
  acquired?: number;
  released?: number;
  /** The thread whose hold of `acquired` ended unseen (its release is numbered after this acquisition). */
  previousHolder?: number;
  /** A thread other than the holder zeroed the location: it is not a lock; `holder` must forget it. */
  disqualified?: { lock: number; holder: number };
}

export interface AtomicLocation {
  buffer: number;
  offset: number;
}

export class AtomicLockTracker {
  readonly #ids = new Map<string, number>();
  readonly #locations: AtomicLocation[] = [];
  readonly #owners = new Map<number, number>();
  readonly #confirmed = new Set<number>();
  readonly #disqualified = new Set<number>();
  /** `thread:lock` pairs whose hold another acquisition ended before their release arrived. */
  readonly #endedEarly = new Set<string>();
  /** Site of each lock's first acquisition, to name it. */
  readonly firstAcquired = new Map<number, number>();

  idOf(buffer: number, offset: number): number {
    const key = `${buffer}:${offset}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = ATOMIC_LOCK_BASE + this.#locations.length;
      this.#ids.set(key, id);
      this.#locations.push({ buffer, offset });
    }
    return id;
  }

  location(lock: number): AtomicLocation | undefined {
    return this.#locations[lock - ATOMIC_LOCK_BASE];
  }

  owner(lock: number): number | undefined {
    return this.#owners.get(lock);
  }

  /** Released by its holder, and never zeroed by anyone else while held. */
  isConfirmed(lock: number): boolean {
    return this.#confirmed.has(lock) && !this.#disqualified.has(lock);
  }

  /** Follows one Atomics event of `thread` on (buffer, offset); `detail` is the event's AtomicDetail bits. */
  observe(kind: number, thread: number, buffer: number, offset: number, detail: number, site: number): AtomicLockChange | undefined {
    const transition = lockTransition(kind, detail);
    if (transition === undefined) return undefined;
    const lock = this.idOf(buffer, offset);
    const owner = this.#owners.get(lock);
    if (transition === 'acquire') {
      this.#owners.set(lock, thread);
      if (!this.firstAcquired.has(lock)) this.firstAcquired.set(lock, site);
      if (owner !== undefined && owner !== thread) {
        this.#endedEarly.add(`${owner}:${lock}`);
        return { acquired: lock, previousHolder: owner };
      }
      return { acquired: lock };
    }
    if (owner === thread) {
      this.#owners.delete(lock);
      this.#confirmed.add(lock);
      return { released: lock };
    }
    if (this.#endedEarly.delete(`${thread}:${lock}`)) {
      this.#confirmed.add(lock);
      return undefined;
    }
    if (owner !== undefined) {
      this.#owners.delete(lock);
      this.#disqualified.add(lock);
      return { disqualified: { lock, holder: owner } };
    }
    return undefined;
  }
}
