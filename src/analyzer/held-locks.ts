/**
 * Who holds which of racecheck's locks, since when and where it was taken, and who is trying to take one:
 * the one record of lock ownership that the misuse checks and the lock statistics both read. (The
 * happens-before checker keeps each thread's lockset, and the lock-order graph each thread's acquisition
 * stack, for their own questions.)
 */
export interface Hold {
  thread: number;
  since: number;
  site: number;
}

export interface Attempt {
  time: number;
  /** Another thread held the lock when the attempt began. */
  contended: boolean;
}

export class HeldLocks {
  readonly #holds = new Map<number, Hold>();
  readonly #attempts = new Map<string, Attempt>();

  /** The thread holding `lock` now, if any. */
  owner(lock: number): number | undefined {
    return this.#holds.get(lock)?.thread;
  }

  attempt(thread: number, lock: number, time: number): void {
    const owner = this.owner(lock);
    this.#attempts.set(`${thread}:${lock}`, { time, contended: owner !== undefined && owner !== thread });
  }

  /** `thread` took `lock`: the attempt that led to it, if one was seen. */
  acquired(thread: number, lock: number, time: number, site: number): Attempt | undefined {
    const key = `${thread}:${lock}`;
    const attempt = this.#attempts.get(key);
    this.#attempts.delete(key);
    this.#holds.set(lock, { thread, since: time, site });
    return attempt;
  }

  /** `lock` was released: the hold it ended, if one was seen. */
  released(lock: number): Hold | undefined {
    const hold = this.#holds.get(lock);
    this.#holds.delete(lock);
    return hold;
  }
}
