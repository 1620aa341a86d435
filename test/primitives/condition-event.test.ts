import { describe, expect, it } from 'vitest';
import { Condition, Event, InvalidArgumentError, Lock, LockNotOwnedError, RLock } from '../../src/primitives/index.js';
import { consume, produce, spawn, waitForEvent } from './workers.js';

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

describe('Condition', () => {
  it('one producer and five consumers hand over every item exactly once (the lecture example)', async () => {
    const condition = new Condition(new Lock());
    const items = 200;
    const consumers = 5;
    const list = sharedInts(1 + items + consumers);
    const sums = sharedInts(consumers);
    const threads = Array.from({ length: consumers }, (_, slot) => spawn(consume, condition, list, sums, slot));
    await spawn(produce, condition, list, items).joinAsync();
    // One end marker (0) per consumer.
    for (let i = 0; i < consumers; i++) {
      await condition.withLockAsync(() => {
        list[1 + list[0]!] = 0;
        list[0] = list[0]! + 1;
        condition.notify();
      });
    }
    for (const thread of threads) await thread.joinAsync();
    const total = sums.reduce((a, b) => a + b, 0);
    expect(total).toBe((items * (items + 1)) / 2);
    expect(list[0]).toBe(0);
  });

  it('wait times out and returns false, holding the lock again', () => {
    const condition = new Condition();
    condition.acquire();
    const start = performance.now();
    expect(condition.wait(50)).toBe(false);
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    expect((condition.lock as RLock).recursionLevel).toBe(1);
    condition.release();
  });

  it('restores an RLock recursion level after waiting', async () => {
    const lock = new RLock();
    const condition = new Condition(lock);
    lock.acquire();
    lock.acquire();
    expect(await condition.waitAsync({ timeout: 10 })).toBe(false);
    expect(lock.recursionLevel).toBe(2);
    lock.release();
    lock.release();
  });

  it('waitFor returns as soon as the predicate holds, and its last value on timeout', async () => {
    const condition = new Condition(new Lock());
    const flag = sharedInts(1);
    condition.acquire();
    expect(condition.waitFor(() => flag[0] === 1, 30)).toBe(false);
    condition.release();
    setTimeout(() => {
      condition.withLock(() => {
        flag[0] = 1;
        condition.notifyAll();
      });
    }, 20);
    await condition.acquireAsync();
    expect(await condition.waitForAsync(() => flag[0] === 1, { timeout: 5_000 })).toBe(true);
    condition.release();
  });

  it('notify(n) wakes at most n waiters; timed-out waiters do not absorb wake-ups', async () => {
    const condition = new Condition(new Lock());
    // A waiter that times out leaves a cancelled ticket behind.
    await condition.withLockAsync(() => condition.waitAsync({ timeout: 5 }));
    const results = await (async () => {
      const waits = [1, 2, 3].map(async () => {
        await condition.acquireAsync();
        const notified = await condition.waitAsync({ timeout: 300 });
        condition.release();
        return notified;
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      condition.withLock(() => condition.notify(2));
      return Promise.all(waits);
    })();
    expect(results.filter(Boolean)).toHaveLength(2);
  });

  it('wait and notify without holding the lock throw LockNotOwnedError', () => {
    const condition = new Condition(new Lock());
    expect(() => condition.wait(1)).toThrow(LockNotOwnedError);
    expect(() => condition.notify()).toThrow('Condition.notify: the condition\'s lock must be held by the calling thread');
    expect(() => condition.withLock(() => condition.notify(-1))).toThrow(InvalidArgumentError);
  });
});

describe('Event', () => {
  it('set wakes every waiting thread', async () => {
    const event = new Event();
    const woken = sharedInts(1);
    const threads = Array.from({ length: 5 }, () => spawn(waitForEvent, event, woken));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Atomics.load(woken, 0)).toBe(0);
    event.set();
    for (const thread of threads) await thread.joinAsync();
    expect(woken[0]).toBe(5);
    expect(event.isSet()).toBe(true);
  });

  it('wait returns false on timeout and true at once when set; clear resets', async () => {
    const event = new Event();
    expect(event.wait(20)).toBe(false);
    expect(await event.waitAsync({ timeout: 20 })).toBe(false);
    event.set();
    expect(event.wait()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    const woken = sharedInts(1);
    await spawn(waitForEvent, event, woken, 30).joinAsync();
    expect(woken[0]).toBe(0);
  });

  it('rejects a negative timeout', () => {
    expect(() => new Event().wait(-5)).toThrow(InvalidArgumentError);
  });
});
