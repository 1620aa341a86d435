/** Lock statistics: acquisitions, contention, time waited, longest hold and where it began. */
import type { LockStatistics } from '../core/findings.js';
import type { Attempt, Hold } from './held-locks.js';
import type { Namer } from './naming.js';

interface Counts {
  acquisitions: number;
  contended: number;
  waitTotal: number;
  waitLongest: number;
  holdLongest: number;
  holdLongestSite: number;
}

export class LockStatisticsTracker {
  readonly #counts = new Map<number, Counts>();

  acquired(lock: number, time: number, attempt: Attempt | undefined): void {
    const counts = this.#of(lock);
    counts.acquisitions++;
    if (!attempt) return;
    const wait = Math.max(0, time - attempt.time);
    if (attempt.contended) counts.contended++;
    counts.waitTotal += wait;
    counts.waitLongest = Math.max(counts.waitLongest, wait);
  }

  released(lock: number, time: number, hold: Hold | undefined): void {
    if (!hold) return;
    const counts = this.#of(lock);
    const duration = Math.max(0, time - hold.since);
    if (duration >= counts.holdLongest) {
      counts.holdLongest = duration;
      counts.holdLongestSite = hold.site;
    }
  }

  statistics(names: Namer): LockStatistics[] {
    return [...this.#counts.entries()].map(([lock, counts]) => {
      const holdLongestAt = names.location(counts.holdLongestSite);
      return {
        lock: names.lockRef(lock),
        acquisitions: counts.acquisitions,
        contended: counts.contended,
        waitTotal: counts.waitTotal,
        waitLongest: counts.waitLongest,
        holdLongest: counts.holdLongest,
        ...(holdLongestAt ? { holdLongestAt } : {}),
      };
    });
  }

  #of(lock: number): Counts {
    let counts = this.#counts.get(lock);
    if (!counts) {
      counts = { acquisitions: 0, contended: 0, waitTotal: 0, waitLongest: 0, holdLongest: 0, holdLongestSite: 0 };
      this.#counts.set(lock, counts);
    }
    return counts;
  }
}
