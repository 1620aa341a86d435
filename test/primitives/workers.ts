/**
 * Thread targets for the primitive tests. They live in their own module because a worker imports the
 * module that exports its target; `spawn` is defined here too, so that the default module resolution
 * (the module that called `new Thread`) is what the tests exercise.
 */
import {
  Barrier,
  Condition,
  Connection,
  currentThread,
  Event,
  Lock,
  Queue,
  RLock,
  Semaphore,
  Thread,
  type ThreadTarget,
} from '../../src/primitives/index.js';

export function spawn(target: ThreadTarget, ...args: unknown[]): Thread {
  const thread = new Thread({ target, args });
  thread.start();
  return thread;
}

export function incrementUnderLock(counter: Int32Array, lock: Lock, times: number): void {
  for (let i = 0; i < times; i++) {
    lock.acquire();
    counter[0] = counter[0]! + 1;
    lock.release();
  }
}

export function incrementWithoutLock(counter: Int32Array, times: number): void {
  for (let i = 0; i < times; i++) counter[0] = counter[0]! + 1;
}

/** The lecture's producer: appends `count` items to a shared list, notifying one consumer per item. */
export function produce(condition: Condition, list: Int32Array, count: number): void {
  for (let i = 1; i <= count; i++) {
    condition.withLock(() => {
      const length = list[0]!;
      list[1 + length] = i;
      list[0] = length + 1;
      condition.notify();
    });
  }
}

/** A consumer: takes items until it takes a 0 (the end marker); adds what it took to `sums[slot]`. */
export function consume(condition: Condition, list: Int32Array, sums: Int32Array, slot: number): void {
  for (;;) {
    condition.acquire();
    while (list[0] === 0) condition.wait();
    const length = list[0]!;
    const item = list[1]!;
    list.copyWithin(1, 2, 1 + length);
    list[0] = length - 1;
    condition.release();
    if (item === 0) return;
    sums[slot] = sums[slot]! + item;
  }
}

export function waitForEvent(event: Event, woken: Int32Array, timeout?: number): void {
  if (event.wait(timeout)) Atomics.add(woken, 0, 1);
}

export function useSemaphore(semaphore: Semaphore, stats: Int32Array, rounds: number, start: Barrier): void {
  start.wait();
  for (let i = 0; i < rounds; i++) {
    semaphore.acquire();
    const inside = Atomics.add(stats, 0, 1) + 1;
    for (;;) {
      const max = Atomics.load(stats, 1);
      if (inside <= max || Atomics.compareExchange(stats, 1, max, inside) === max) break;
    }
    Atomics.wait(stats, 2, 0, 1);
    Atomics.sub(stats, 0, 1);
    semaphore.release();
  }
}

/** Each phase: write my slot, wait, check every slot of the phase is written, wait again. */
export function barrierPhases(barrier: Barrier, grid: Int32Array, slot: number, parties: number, phases: number): void {
  for (let phase = 1; phase <= phases; phase++) {
    grid[slot] = phase;
    barrier.wait();
    for (let other = 0; other < parties; other++) {
      if (grid[other] !== phase) throw new Error(`phase ${phase}: slot ${other} holds ${grid[other]}`);
    }
    barrier.wait();
  }
}

export function waitAtBarrier(barrier: Barrier, timeout?: number): number {
  return barrier.wait(timeout);
}

export function putAll(queue: Queue<unknown>, items: unknown[]): void {
  for (const item of items) queue.put(item);
}

export function getInto(queue: Queue<number>, out: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = queue.get();
}

/** The lecture's worker: takes items until the 'end' sentinel, sending results back on another queue. */
export function squareUntilEnd(tasks: Queue<number | 'end'>, results: Queue<number>): void {
  for (;;) {
    const item = tasks.get();
    if (item === 'end') {
      tasks.taskDone();
      return;
    }
    results.put(item * item);
    tasks.taskDone();
  }
}

export function echoDoubled(connection: Connection): void {
  for (;;) {
    const message = connection.recv<number | 'end'>();
    if (message === 'end') break;
    connection.send(message * 2);
  }
  connection.close();
}

export function reenter(lock: RLock, depth: number, log: Int32Array): void {
  for (let i = 0; i < depth; i++) lock.acquire();
  log[0] = lock.recursionLevel;
  for (let i = 0; i < depth; i++) lock.release();
  log[1] = lock.locked() ? 1 : 0;
}

export function releaseForeignRLock(lock: RLock): void {
  lock.release();
}

export function holdLockUntil(lock: Lock | RLock, held: Event, letGo: Event): void {
  lock.acquire();
  held.set();
  letGo.wait();
  lock.release();
}

export function tryLockFor(lock: Lock, timeout: number, result: Int32Array): void {
  const start = performance.now();
  result[0] = lock.acquire({ timeout }) ? 1 : 0;
  result[1] = Math.round(performance.now() - start);
}

export function setFlag(flags: Int32Array, index: number): void {
  Atomics.store(flags, index, 1);
}

export function throwTypeError(message: string): void {
  throw new TypeError(message);
}

export async function rejectLater(message: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new RangeError(message);
}

export function reportIdentity(out: Int32Array): void {
  out[0] = currentThread().ident ?? -1;
}

export function joinOther(other: Thread, out: Int32Array): void {
  out[0] = other.join() ? 1 : 0;
}

export function exitEarly(): void {
  process.exit(7);
}

export function notExported(): void {}

export class Counter extends Thread {
  constructor(
    readonly counter: Int32Array,
    readonly lock: Lock,
    readonly times: number,
  ) {
    super();
  }

  override run(): void {
    for (let i = 0; i < this.times; i++) this.lock.withLock(() => void (this.counter[0] = this.counter[0]! + 1));
  }
}

/** A worker whose only work is an async wait: its event loop must stay alive until the item comes. */
export async function awaitItem(queue: Queue<number>, out: Int32Array): Promise<void> {
  out[0] = await queue.getAsync();
}

/** Takes the lock, records the order it got it in (order[0] counts), releases. */
export function recordTurn(lock: Lock, order: Int32Array, index: number, timeout?: number): void {
  if (!lock.acquire(timeout === undefined ? {} : { timeout })) {
    order[1 + index] = -1;
    return;
  }
  order[1 + Atomics.add(order, 0, 1) + 4] = index;
  lock.release();
}

/** Waits at the barrier and records the arrival index it got in `indexes[slot]`. */
export function arriveAt(barrier: Barrier, indexes: Int32Array, slot: number): void {
  indexes[slot] = barrier.wait();
}
