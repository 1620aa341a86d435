/**
 * Vector clocks for happens-before, named after the operations of the model (as ThreadSanitizer's
 * `VectorClock`: acquire, release, release-store) rather than array utilities. Threads are dense indexes
 * handed out by the analyzer; a clock grows as threads appear.
 */
export class VectorClock {
  /** clock[i]: how far thread i's history is known to this clock. */
  values: number[];

  constructor(values: number[] = []) {
    this.values = values;
  }

  get(thread: number): number {
    return this.values[thread] ?? 0;
  }

  set(thread: number, value: number): void {
    const values = this.values;
    while (values.length <= thread) values.push(0);
    values[thread] = value;
  }

  /** This thread's own component moves on: what it does next is not covered by clocks copied before. */
  tick(thread: number): void {
    this.set(thread, this.get(thread) + 1);
  }

  /** Acquire: everything `other` has seen now happens before this clock's future. */
  acquire(other: VectorClock): void {
    const mine = this.values;
    const theirs = other.values;
    while (mine.length < theirs.length) mine.push(0);
    for (let i = 0; i < theirs.length; i++) {
      const value = theirs[i]!;
      if (value > mine[i]!) mine[i] = value;
    }
  }

  /** Release-store: this (a sync object's clock) becomes exactly `source` (locks: releases are totally ordered). */
  releaseStore(source: VectorClock): void {
    this.values = source.values.slice();
  }

  /** Release (accumulating): this (a sync object's clock) also covers `source` (events, semaphores, notifies). */
  release(source: VectorClock): void {
    this.acquire(source);
  }

  /** Does the epoch (thread, clock) happen before this clock? */
  covers(thread: number, clock: number): boolean {
    return clock <= (this.values[thread] ?? 0);
  }

  /** Does every component of `other` happen before this clock? */
  coversAll(other: VectorClock): boolean {
    const theirs = other.values;
    for (let i = 0; i < theirs.length; i++) if (theirs[i]! > (this.values[i] ?? 0)) return false;
    return true;
  }

  copy(): VectorClock {
    return new VectorClock(this.values.slice());
  }
}
