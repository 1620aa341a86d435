/**
 * Hand-written locks seen through their Atomics events (as the instrumentation records them): what the
 * analyzer must take as a lock, and what it must not.
 */
import { describe, expect, it } from 'vitest';
import { AtomicDetail } from '../../src/tracer/schema.js';
import { EventKind, TraceBuilder } from './trace-builder.js';

const WORDS = 700;
const A = 0;
const B = 4;

/** compareExchange(word, 0, 1) succeeding: a release half before, the acquiring read-modify-write after. */
function acquire(trace: TraceBuilder, thread: number, word: number, line: number): TraceBuilder {
  return trace
    .add(thread, EventKind.AtomicStore, WORDS, word, line, 4)
    .add(thread, EventKind.AtomicReadModifyWrite, WORDS, word, line, 4, 0, AtomicDetail.OldZero);
}

/** Atomics.store(word, 0). */
function release(trace: TraceBuilder, thread: number, word: number, line: number): TraceBuilder {
  return trace.add(thread, EventKind.AtomicStore, WORDS, word, line, 4, 0, AtomicDetail.NewZero);
}

function twoThreads(): TraceBuilder {
  return new TraceBuilder().spawn(0, 1001, 1).spawn(0, 1002, 2);
}

describe('Atomics locks', () => {
  it('code a compareExchange spin lock protects is clean, and reports name no lock', () => {
    const trace = twoThreads();
    acquire(trace, 1, A, 10).write(1, 11);
    release(trace, 1, A, 12);
    acquire(trace, 2, A, 20).write(2, 21);
    release(trace, 2, A, 22);
    expect(trace.races()).toEqual([]);
  });

  it('a race outside the lock names the lock the other side held', () => {
    const trace = twoThreads();
    acquire(trace, 1, A, 10).write(1, 11);
    release(trace, 1, A, 12);
    trace.write(2, 21);
    const [race] = trace.races();
    expect(race?.ruleId).toBe('data-race');
    const sides = [race!.locksHeld ?? [], race!.related[0]?.locksHeld ?? []];
    expect(sides.flat().map((lock) => lock.name)).toEqual([expect.stringMatching(/^Atomics lock at byte offset 0 of buffer 700 \(taken at prog\.ts:10:1\)$/)]);
  });

  it('finds a lock-order cycle between two Atomics locks taken in opposite orders', () => {
    const trace = twoThreads();
    acquire(trace, 1, A, 10);
    acquire(trace, 1, B, 11);
    release(trace, 1, B, 12);
    release(trace, 1, A, 13);
    acquire(trace, 2, B, 20);
    acquire(trace, 2, A, 21);
    release(trace, 2, A, 22);
    release(trace, 2, B, 23);
    const cycles = trace.findings('lock-order-inversion');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.message).toMatch(/Atomics lock at byte offset (0|4) of buffer 700/);
  });

  it('a word that is only ever counted up is not a lock: no cycle through it', () => {
    const trace = twoThreads();
    // Thread 1 counts the word up from zero (it looks acquired) and never zeroes it.
    trace.add(1, EventKind.AtomicReadModifyWrite, WORDS, A, 10, 4, 0, AtomicDetail.OldZero);
    acquire(trace, 1, B, 11);
    release(trace, 1, B, 12);
    acquire(trace, 2, B, 20);
    trace.add(2, EventKind.AtomicReadModifyWrite, WORDS, A, 21, 4, 0, 0);
    release(trace, 2, B, 22);
    expect(trace.findings('lock-order-inversion')).toEqual([]);
  });

  it('a word zeroed by a thread that did not set it is a flag, not a lock', () => {
    const trace = twoThreads();
    acquire(trace, 1, A, 10);
    acquire(trace, 1, B, 11);
    release(trace, 1, B, 12);
    release(trace, 2, A, 13);
    acquire(trace, 2, B, 20);
    acquire(trace, 2, A, 21);
    release(trace, 2, A, 22);
    release(trace, 2, B, 23);
    expect(trace.findings('lock-order-inversion')).toEqual([]);
  });

  it('an Atomics word left non-zero at exit is not reported as a lock held at exit', () => {
    const trace = twoThreads();
    acquire(trace, 1, A, 10);
    trace.exit(1, 1001);
    expect(trace.findings('lock-held-at-exit')).toEqual([]);
  });
});
