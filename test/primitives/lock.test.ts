import { describe, expect, it } from 'vitest';
import { Event, InvalidArgumentError, Lock, LockNotHeldError, LockNotOwnedError, RLock, ThreadFailedError } from '../../src/primitives/index.js';
import {
  holdLockUntil,
  incrementUnderLock,
  incrementWithoutLock,
  recordTurn,
  reenter,
  releaseForeignRLock,
  spawn,
  tryLockFor,
} from './workers.js';

/** Waits (without blocking the event loop) until a fair lock's queue holds `length` threads. */
async function queueReaches(lock: Lock, length: number): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (lock.queueLength < length) {
    if (performance.now() > deadline) throw new Error(`the queue never reached ${length}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const THREADS = 4;
const TIMES = 20_000;

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

describe('Lock', () => {
  it('makes N threads x M increments of a shared counter add up to N*M', async () => {
    const counter = sharedInts(1);
    const lock = new Lock();
    const threads = Array.from({ length: THREADS }, () => spawn(incrementUnderLock, counter, lock, TIMES));
    for (const thread of threads) await thread.joinAsync();
    expect(counter[0]).toBe(THREADS * TIMES);
    expect(lock.locked()).toBe(false);
  });

  it('without the lock the same increments may be lost, never invented', async () => {
    const counter = sharedInts(1);
    const threads = Array.from({ length: THREADS }, () => spawn(incrementWithoutLock, counter, TIMES));
    for (const thread of threads) await thread.joinAsync();
    expect(counter[0]).toBeGreaterThan(0);
    expect(counter[0]).toBeLessThanOrEqual(THREADS * TIMES);
  });

  it('try-acquire and locked() tell the truth', () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('a timed acquire gives up after its timeout while another thread holds the lock', async () => {
    const lock = new Lock();
    const held = new Event();
    const letGo = new Event();
    const holder = spawn(holdLockUntil, lock, held, letGo);
    expect(await held.waitAsync({ timeout: 10_000 })).toBe(true);
    const result = sharedInts(2);
    await spawn(tryLockFor, lock, 100, result).joinAsync();
    expect(result[0]).toBe(0);
    expect(result[1]).toBeGreaterThanOrEqual(95);
    expect(await lock.acquireAsync({ timeout: 20 })).toBe(false);
    letGo.set();
    expect(await lock.acquireAsync({ timeout: 10_000 })).toBe(true);
    lock.release();
    await holder.joinAsync();
  });

  it('acquireAsync waits without freezing the event loop and can be cancelled', async () => {
    const lock = new Lock();
    lock.acquire();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const controller = new AbortController();
    const pending = lock.acquireAsync({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 60);
    await expect(pending).rejects.toThrow('gave up');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    // The abandoned waiter must not swallow the next wake-up.
    const next = lock.acquireAsync({ timeout: 5_000 });
    lock.release();
    expect(await next).toBe(true);
    lock.release();
  });

  it('withLock releases when the function throws', async () => {
    const lock = new Lock();
    expect(() => lock.withLock(() => { throw new Error('inside'); })).toThrow('inside');
    expect(lock.locked()).toBe(false);
    await expect(lock.withLockAsync(async () => { throw new Error('async inside'); })).rejects.toThrow('async inside');
    expect(lock.locked()).toBe(false);
    expect(await lock.withLockAsync(async () => 42)).toBe(42);
  });

  it('releasing an unlocked lock throws LockNotHeldError', () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(LockNotHeldError);
    expect(() => lock.release()).toThrow('Lock.release: the lock is not locked');
  });

  it('rejects negative and NaN timeouts, and a timeout with blocking: false', () => {
    const lock = new Lock();
    expect(() => lock.acquire({ timeout: -1 })).toThrow(InvalidArgumentError);
    expect(() => lock.acquire({ timeout: Number.NaN })).toThrow('Lock.acquire: timeout must be a non-negative number of milliseconds or undefined, got NaN');
    expect(() => lock.acquire({ blocking: false, timeout: 5 })).toThrow('a timeout cannot be given with blocking: false');
    expect(lock.locked()).toBe(false);
  });
});

describe('a fair Lock', () => {
  it('is handed over in the order threads asked for it', async () => {
    const lock = new Lock({ fair: true });
    const order = sharedInts(16);
    lock.acquire();
    const threads = [];
    for (let i = 0; i < 4; i++) {
      threads.push(spawn(recordTurn, lock, order, i));
      await queueReaches(lock, i + 2);
    }
    lock.release();
    for (const thread of threads) await thread.joinAsync();
    expect(Array.from(order.subarray(5, 9))).toEqual([0, 1, 2, 3]);
    expect(lock.locked()).toBe(false);
    expect(lock.queueLength).toBe(0);
  });

  it('a waiter that times out leaves the queue; those behind it still get the lock', async () => {
    const lock = new Lock({ fair: true });
    const order = sharedInts(16);
    lock.acquire();
    const giving = spawn(recordTurn, lock, order, 0, 100);
    await queueReaches(lock, 2);
    const patient = spawn(recordTurn, lock, order, 1);
    await queueReaches(lock, 3);
    await giving.joinAsync();
    expect(order[1]).toBe(-1);
    lock.release();
    await patient.joinAsync();
    expect(order[5]).toBe(1);
    expect(lock.locked()).toBe(false);
  });

  it('try-acquire, timeouts, async waits and cancellation work as for the default kind', async () => {
    const lock = new Lock({ fair: true });
    expect(lock.fair).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(false);
    expect(lock.acquire({ timeout: 10 })).toBe(false);
    expect(await lock.acquireAsync({ timeout: 10 })).toBe(false);
    const controller = new AbortController();
    const aborted = lock.acquireAsync({ signal: controller.signal });
    controller.abort(new Error('no longer needed'));
    await expect(aborted).rejects.toThrow('no longer needed');
    const next = lock.acquireAsync();
    lock.release();
    expect(await next).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(LockNotHeldError);
  });

  it('keeps mutual exclusion under contention', async () => {
    const counter = sharedInts(1);
    const lock = new Lock({ fair: true });
    const threads = Array.from({ length: 3 }, () => spawn(incrementUnderLock, counter, lock, 2_000));
    for (const thread of threads) await thread.joinAsync();
    expect(counter[0]).toBe(6_000);
  });
});

describe('RLock', () => {
  it('is reentrant for its owner and free after as many releases', async () => {
    const lock = new RLock();
    const log = sharedInts(2);
    await spawn(reenter, lock, 5, log).joinAsync();
    expect(log[0]).toBe(5);
    expect(log[1]).toBe(0);
    lock.acquire();
    lock.acquire();
    expect(lock.recursionLevel).toBe(2);
    lock.release();
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('a thread that does not own it cannot release it', async () => {
    const lock = new RLock();
    lock.acquire();
    const thread = spawn(releaseForeignRLock, lock);
    const failure = await thread.joinAsync().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ThreadFailedError);
    const cause = (failure as ThreadFailedError).cause as Error;
    expect(cause.name).toBe('LockNotOwnedError');
    expect(cause.message).toMatch(/^RLock\.release: thread \d+ does not own the lock \(thread 0 does\)$/);
    expect(lock.locked()).toBe(true);
    lock.release();
  });

  it('releasing a free RLock throws LockNotOwnedError', () => {
    expect(() => new RLock().release()).toThrow(LockNotOwnedError);
    expect(() => new RLock().release()).toThrow('RLock.release: the lock is not held');
  });

  it('excludes other threads while held', async () => {
    const lock = new RLock();
    const held = new Event();
    const letGo = new Event();
    const holder = spawn(holdLockUntil, lock, held, letGo);
    await held.waitAsync();
    expect(lock.acquire({ blocking: false })).toBe(false);
    expect(await lock.acquireAsync({ timeout: 30 })).toBe(false);
    letGo.set();
    await holder.joinAsync();
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });
});
