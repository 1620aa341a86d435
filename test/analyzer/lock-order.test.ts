import { describe, expect, it } from 'vitest';
import { AcquireMode, EventKind, ObjectType, TraceBuilder } from './trace-builder.js';

const A = 7;
const B = 8;
const GATE = 9;

function inversion(b: TraceBuilder, first = 1, second = 2): TraceBuilder {
  return b.lock(first, A, 10).lock(first, B, 11).unlock(first, B, 12).unlock(first, A, 13).lock(second, B, 20).lock(second, A, 21).unlock(second, A, 22).unlock(second, B, 23);
}

function twoThreads(): TraceBuilder {
  return new TraceBuilder().create(0, A, ObjectType.Lock, 2).create(0, B, ObjectType.Lock, 3).spawn(0, 101, 1).spawn(0, 102, 2);
}

describe('lock-order inversion', () => {
  it('two threads taking two locks in opposite orders are a potential deadlock, even though this run did not hang', () => {
    const findings = inversion(twoThreads()).findings('lock-order-inversion');
    expect(findings).toHaveLength(1);
    const [cycle] = findings;
    expect(cycle?.message).toBe(
      'Lock-order inversion (potential deadlock): cycle in lock order graph: Lock created at prog.ts:2:1 => Lock created at prog.ts:3:1 => Lock created at prog.ts:2:1',
    );
    expect(cycle?.related.map((r) => r.location?.line)).toEqual([11, 10, 21, 20]);
    expect(cycle?.threads.map((t) => t.id).sort()).toEqual([1, 2]);
  });

  it('one thread taking both orders cannot deadlock with itself', () => {
    expect(inversion(twoThreads(), 1, 1).findings('lock-order-inversion')).toEqual([]);
  });

  it('both orders taken under a common gate lock cannot deadlock', () => {
    // Each thread takes A and B only while holding the gate lock.
    const gated = new TraceBuilder().create(0, A, ObjectType.Lock, 2).create(0, B, ObjectType.Lock, 3).spawn(0, 101, 1).spawn(0, 102, 2);
    gated.lock(1, GATE, 5).lock(1, A, 10).lock(1, B, 11).unlock(1, B, 12).unlock(1, A, 13).unlock(1, GATE, 14);
    gated.lock(2, GATE, 6).lock(2, B, 20).lock(2, A, 21).unlock(2, A, 22).unlock(2, B, 23).unlock(2, GATE, 24);
    expect(gated.findings('lock-order-inversion')).toEqual([]);
  });

  it('threads that can never run at once (joined before the other started) cannot deadlock', () => {
    const b = new TraceBuilder().spawn(0, 101, 1);
    b.lock(1, A, 10).lock(1, B, 11).unlock(1, B, 12).unlock(1, A, 13).exit(1, 101).join(0, 101);
    b.spawn(0, 102, 2).lock(2, B, 20).lock(2, A, 21).unlock(2, A, 22).unlock(2, B, 23).exit(2, 102).join(0, 102);
    expect(b.findings('lock-order-inversion')).toEqual([]);
  });

  it('a try-acquire with back-off makes no edge (the lecture\'s second fix)', () => {
    const b = twoThreads().lock(1, A, 10).lock(1, B, 11).unlock(1, B, 12).unlock(1, A, 13);
    b.lock(2, B, 20).lock(2, A, 21, AcquireMode.Try).unlock(2, A, 22).unlock(2, B, 23);
    expect(b.findings('lock-order-inversion')).toEqual([]);
  });

  it('a global lock order (the lecture\'s first fix) is clean', () => {
    const b = twoThreads().lock(1, A, 10).lock(1, B, 11).unlock(1, B, 12).unlock(1, A, 13);
    b.lock(2, A, 20).lock(2, B, 21).unlock(2, B, 22).unlock(2, A, 23);
    expect(b.findings('lock-order-inversion')).toEqual([]);
  });

  it('five philosophers taking left then right close a five-lock cycle; lowest first does not', () => {
    const deadlockProne = new TraceBuilder();
    const ordered = new TraceBuilder();
    for (let i = 0; i < 5; i++) {
      deadlockProne.create(0, 200 + i, ObjectType.Lock, 2);
      ordered.create(0, 200 + i, ObjectType.Lock, 2);
    }
    for (let i = 0; i < 5; i++) {
      deadlockProne.spawn(0, 300 + i, 1 + i);
      ordered.spawn(0, 300 + i, 1 + i);
      const [left, right] = [200 + i, 200 + ((i + 1) % 5)];
      deadlockProne.lock(1 + i, left, 10).lock(1 + i, right, 11).unlock(1 + i, right, 12).unlock(1 + i, left, 13);
      const [low, high] = [Math.min(left, right), Math.max(left, right)];
      ordered.lock(1 + i, low, 10).lock(1 + i, high, 11).unlock(1 + i, high, 12).unlock(1 + i, low, 13);
    }
    const cycles = deadlockProne.findings('lock-order-inversion');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.threads).toHaveLength(5);
    expect(ordered.findings('lock-order-inversion')).toEqual([]);
  });

  it('1,000 lock pairs made at the same sites and inverted give one report with a count', () => {
    const b = new TraceBuilder().spawn(0, 101, 1).spawn(0, 102, 2);
    for (let i = 0; i < 1000; i++) {
      const a = 10_000 + 2 * i;
      const c = a + 1;
      b.create(0, a, ObjectType.Lock, 2).create(0, c, ObjectType.Lock, 3);
      b.lock(1, a, 10).lock(1, c, 11).unlock(1, c, 12).unlock(1, a, 13);
      b.lock(2, c, 20).lock(2, a, 21).unlock(2, a, 22).unlock(2, c, 23);
    }
    const findings = b.findings('lock-order-inversion');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.count).toBe(1000);
  });
});

describe('misuse', () => {
  it('a thread that ends holding a lock (the starvation example)', () => {
    const b = new TraceBuilder().name(1, 'greedy').create(0, A, ObjectType.Lock, 2).spawn(0, 101, 1).lock(1, A, 10).exit(1, 101).join(0, 101);
    const [finding] = b.findings('lock-held-at-exit');
    expect(finding?.message).toBe("Thread 'greedy' ended while holding Lock created at prog.ts:2:1: no other thread can ever take it");
    expect(finding?.location?.line).toBe(10);
  });

  it('a thread never joined is a leak; a joined or daemon one is not', () => {
    const b = new TraceBuilder().spawn(0, 101, 1, 30).spawn(0, 102, 2, 31).spawn(0, 103, 3, 32, true).join(0, 102);
    expect(b.findings('thread-leak').map((f) => f.location?.line)).toEqual([30]);
  });

  it('a Lock released by a thread that did not acquire it is reported once', () => {
    const b = new TraceBuilder().create(0, A, ObjectType.Lock, 2).spawn(0, 101, 1);
    for (let i = 0; i < 3; i++) b.lock(0, A, 10).unlock(1, A, 20);
    const findings = b.findings('primitive-misuse');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe("Lock created at prog.ts:2:1 is released by thread 'thread 1' but was acquired by thread 'main'");
  });

  it('a thread re-acquiring a Lock it holds is reported; an RLock is not', () => {
    const b = new TraceBuilder().create(0, A, ObjectType.Lock, 2).create(0, B, ObjectType.RLock, 3);
    b.lock(0, A, 10).add(0, EventKind.LockAttempt, A, AcquireMode.Blocking, 11);
    b.lock(0, B, 12).add(0, EventKind.LockAttempt, B, AcquireMode.Blocking, 13);
    expect(b.findings('primitive-misuse').map((f) => f.location?.line)).toEqual([11]);
  });

  it('lock statistics count acquisitions, contention, waits and the longest hold', () => {
    const b = new TraceBuilder().create(0, A, ObjectType.Lock, 2).spawn(0, 101, 1);
    b.add(0, EventKind.LockAttempt, A, 0, 10, 0, 1000).add(0, EventKind.LockAcquired, A, 0, 10, 0, 1000);
    b.add(1, EventKind.LockAttempt, A, 0, 20, 0, 1001);
    b.add(0, EventKind.LockRelease, A, 0, 11, 0, 1005);
    b.add(1, EventKind.LockAcquired, A, 0, 20, 0, 1005).add(1, EventKind.LockRelease, A, 0, 21, 0, 1006);
    const [stats] = b.analyze().stats ?? [];
    expect(stats).toMatchObject({ acquisitions: 2, contended: 1, waitTotal: 4, waitLongest: 4, holdLongest: 5 });
    expect(stats?.holdLongestAt?.line).toBe(10);
  });
});
