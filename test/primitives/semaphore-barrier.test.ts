import { describe, expect, it } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  InvalidArgumentError,
  Semaphore,
  SemaphoreOverReleaseError,
  ThreadFailedError,
} from '../../src/primitives/index.js';
import { arriveAt, barrierPhases, spawn, useSemaphore, waitAtBarrier } from './workers.js';

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

describe('Semaphore', () => {
  it('never lets more than its value of threads in at once', async () => {
    const semaphore = new Semaphore(2);
    const stats = sharedInts(3);
    const start = new Barrier(6);
    const threads = Array.from({ length: 6 }, () => spawn(useSemaphore, semaphore, stats, 20, start));
    for (const thread of threads) await thread.joinAsync();
    expect(stats[1]).toBe(2);
    expect(semaphore.value).toBe(2);
  });

  it('try-acquire, timeouts and release(n)', async () => {
    const semaphore = new Semaphore(1);
    expect(semaphore.acquire({ blocking: false })).toBe(true);
    expect(semaphore.acquire({ blocking: false })).toBe(false);
    expect(semaphore.acquire({ timeout: 20 })).toBe(false);
    expect(await semaphore.acquireAsync({ timeout: 20 })).toBe(false);
    semaphore.release(3);
    expect(semaphore.value).toBe(3);
    expect(await semaphore.withPermitAsync(async () => semaphore.value)).toBe(2);
  });

  it('rejects bad counts', () => {
    expect(() => new Semaphore(-1)).toThrow(InvalidArgumentError);
    expect(() => new Semaphore(1).release(0)).toThrow('Semaphore.release: n must be an integer >= 1, got 0');
  });
});

describe('BoundedSemaphore', () => {
  it('throws SemaphoreOverReleaseError when released above its initial value', () => {
    const semaphore = new BoundedSemaphore(2);
    semaphore.acquire();
    semaphore.release();
    expect(() => semaphore.release()).toThrow(SemaphoreOverReleaseError);
    expect(() => semaphore.release()).toThrow('BoundedSemaphore.release: released too many times (value 2 + 1 would exceed 2)');
    expect(semaphore.value).toBe(2);
  });
});

describe('Barrier', () => {
  it('keeps threads in step through several phases', async () => {
    const parties = 4;
    const barrier = new Barrier(parties + 1);
    const grid = sharedInts(parties + 1);
    const phases = 5;
    const threads = Array.from({ length: parties }, (_, slot) => spawn(barrierPhases, barrier, grid, slot, parties + 1, phases));
    for (let phase = 1; phase <= phases; phase++) {
      grid[parties] = phase;
      await barrier.waitAsync();
      await barrier.waitAsync();
    }
    for (const thread of threads) await thread.joinAsync();
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
  });

  it('runs the action once per phase, in the last thread to arrive', () => {
    let actions = 0;
    const barrier = new Barrier(1, { action: () => actions++ });
    barrier.wait();
    barrier.wait();
    barrier.withAction(() => (actions += 10)).wait();
    expect(actions).toBe(12);
  });

  it('gives each party a distinct arrival index', async () => {
    const barrier = new Barrier(3);
    const indexes = sharedInts(2);
    const threads = [spawn(arriveAt, barrier, indexes, 0), spawn(arriveAt, barrier, indexes, 1)];
    const mine = await barrier.waitAsync(10_000);
    for (const thread of threads) await thread.joinAsync();
    expect([mine, indexes[0], indexes[1]].sort()).toEqual([0, 1, 2]);
  });

  it('a timed-out wait breaks the barrier for everyone until reset', async () => {
    const barrier = new Barrier(3);
    const waiter = spawn(waitAtBarrier, barrier);
    await expect(barrier.waitAsync(50)).rejects.toThrow(BrokenBarrierError);
    const failure = await waiter.joinAsync().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ThreadFailedError);
    expect(((failure as ThreadFailedError).cause as Error).name).toBe('BrokenBarrierError');
    expect(barrier.broken).toBe(true);
    expect(() => barrier.wait()).toThrow('Barrier.wait: the barrier is broken');
    barrier.reset();
    expect(barrier.broken).toBe(false);
    const one = new Barrier(1);
    expect(one.wait()).toBe(0);
  });

  it('abort breaks waiting threads; a throwing action breaks the barrier', async () => {
    const barrier = new Barrier(2);
    const waiter = spawn(waitAtBarrier, barrier);
    await new Promise((resolve) => setTimeout(resolve, 50));
    barrier.abort();
    await expect(waiter.joinAsync()).rejects.toThrow(/BrokenBarrierError/);
    const throwing = new Barrier(1, { action: () => { throw new Error('action failed'); } });
    expect(() => throwing.wait()).toThrow(BrokenBarrierError);
    expect(throwing.broken).toBe(true);
  });

  it('rejects a bad party count', () => {
    expect(() => new Barrier(0)).toThrow('Barrier: parties must be an integer >= 1, got 0');
  });
});
