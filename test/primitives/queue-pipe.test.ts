import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  ItemTooLargeError,
  NotCloneableError,
  Pipe,
  PipeClosedError,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskDoneError,
} from '../../src/primitives/index.js';
import { awaitItem, echoDoubled, getInto, putAll, spawn, squareUntilEnd } from './workers.js';

describe('Queue', () => {
  it('hands items across threads in FIFO order', async () => {
    const queue = new Queue<number>();
    const out = new Int32Array(new SharedArrayBuffer(1000 * 4));
    const consumer = spawn(getInto, queue, out, 1000);
    await spawn(putAll, queue, Array.from({ length: 1000 }, (_, i) => i)).joinAsync();
    await consumer.joinAsync();
    expect(Array.from(out)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(queue.empty()).toBe(true);
  });

  it('a worker awaiting getAsync stays alive until the item comes', async () => {
    const queue = new Queue<number>();
    const out = new Int32Array(new SharedArrayBuffer(4));
    const thread = spawn(awaitItem, queue, out);
    await new Promise((resolve) => setTimeout(resolve, 300));
    queue.put(7);
    await thread.joinAsync();
    expect(out[0]).toBe(7);
  });

  it('LIFO returns the newest item first', () => {
    const queue = new Queue<string>({ order: 'lifo' });
    for (const item of ['a', 'b', 'c']) queue.put(item);
    expect([queue.get(), queue.get()]).toEqual(['c', 'b']);
    queue.put('d');
    expect([queue.get(), queue.get()]).toEqual(['d', 'a']);
  });

  it('priority order takes the lowest priority first, FIFO among equals', () => {
    const queue = new Queue<[number, string]>({ order: 'priority' });
    const items: [number, string][] = [[3, 'c'], [1, 'a1'], [2, 'b'], [1, 'a2'], [0, 'z'], [5, 'e'], [1, 'a3']];
    for (const item of items) queue.put(item);
    const got = items.map(() => queue.get()[1]);
    expect(got).toEqual(['z', 'a1', 'a2', 'a3', 'b', 'c', 'e']);
  });

  it('carries any structured-cloneable value', () => {
    const queue = new Queue();
    const value = { date: new Date(0), map: new Map([[1, 'x']]), nested: [1, { deep: true }], big: 10n, bytes: new Uint8Array([1, 2]) };
    queue.put(value);
    expect(queue.get()).toEqual(value);
  });

  it('a bounded queue blocks a putter until a getter makes room', async () => {
    const queue = new Queue<number>({ maxsize: 2 });
    queue.put(1);
    queue.put(2);
    expect(queue.full()).toBe(true);
    expect(() => queue.putNowait(3)).toThrow(QueueFullError);
    expect(() => queue.put(3, { timeout: 20 })).toThrow('Queue.put: the queue is full');
    const producer = spawn(putAll, queue, [3, 4, 5]);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await queue.getAsync({ timeout: 10_000 }));
    await producer.joinAsync();
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it('get times out on an empty queue; getNowait fails at once', async () => {
    const queue = new Queue();
    expect(() => queue.getNowait()).toThrow(QueueEmptyError);
    const start = performance.now();
    expect(() => queue.get({ timeout: 40 })).toThrow('Queue.get: the queue is empty');
    expect(performance.now() - start).toBeGreaterThanOrEqual(35);
    await expect(queue.getAsync({ timeout: 20 })).rejects.toThrow(QueueEmptyError);
  });

  it('workers stop at sentinel items; join waits for every taskDone', async () => {
    const tasks = new Queue<number | 'end'>();
    const results = new Queue<number>();
    const workers = [spawn(squareUntilEnd, tasks, results), spawn(squareUntilEnd, tasks, results)];
    for (let i = 1; i <= 50; i++) tasks.put(i);
    tasks.put('end');
    tasks.put('end');
    expect(await tasks.joinAsync({ timeout: 10_000 })).toBe(true);
    for (const worker of workers) await worker.joinAsync();
    const squares: number[] = [];
    while (!results.empty()) squares.push(results.get());
    expect(squares.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) ** 2));
    expect(() => tasks.taskDone()).toThrow(TaskDoneError);
  });

  it('grows past its initial buffer and compacts, without corrupting items', () => {
    const queue = new Queue<string>();
    const big = 'x'.repeat(50_000);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) queue.put(`${round}:${i}:${big}`);
      for (let i = 0; i < 7; i++) expect(queue.get()).toMatch(/^\d+:\d+:x+$/);
    }
    const rest: string[] = [];
    while (!queue.empty()) rest.push(queue.get().slice(0, 4));
    expect(rest).toHaveLength(15);
  });

  it('refuses a value that cannot be cloned, and enqueues nothing', () => {
    const queue = new Queue();
    expect(() => queue.put({ f: () => 1 })).toThrow(NotCloneableError);
    expect(() => queue.put(() => 1)).toThrow(/^Queue\.put: the item cannot be cloned: /);
    expect(queue.qsize()).toBe(0);
  });

  it('refuses an item larger than the queue can ever hold', () => {
    const queue = new Queue({ maxBytes: 4096 });
    expect(() => queue.put('y'.repeat(10_000))).toThrow(ItemTooLargeError);
    expect(queue.qsize()).toBe(0);
    queue.put('small');
    expect(queue.get()).toBe('small');
  });

  it('a queue full by bytes waits like a full one', () => {
    const queue = new Queue({ maxBytes: 4096 });
    queue.put('a'.repeat(3000));
    expect(() => queue.put('b'.repeat(3000), { timeout: 10 })).toThrow(QueueFullError);
    expect(queue.get()).toHaveLength(3000);
    queue.put('b'.repeat(3000));
  });

  it('shutdown wakes getters, fails puts, and drains what is left', async () => {
    const queue = new Queue<number>();
    queue.put(1);
    const waiting = (async () => {
      const first = await queue.getAsync();
      return [first, await queue.getAsync().catch((error: unknown) => error)];
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.shutdown();
    const [first, second] = await waiting;
    expect(first).toBe(1);
    expect(second).toBeInstanceOf(QueueShutDownError);
    expect(() => queue.put(2)).toThrow(QueueShutDownError);
  });

  it('validates its options', () => {
    expect(() => new Queue({ order: 'random' as never })).toThrow(InvalidArgumentError);
    expect(() => new Queue({ maxsize: -1 })).toThrow("Queue: maxsize must be an integer >= 0, got -1");
    expect(() => new Queue({ order: 'priority' }).put('x')).toThrow(/numeric priority/);
  });
});

describe('Pipe', () => {
  it('carries messages both ways between threads', async () => {
    const [mine, theirs] = Pipe();
    const worker = spawn(echoDoubled, theirs);
    for (let i = 1; i <= 20; i++) mine.send(i);
    const replies: number[] = [];
    for (let i = 1; i <= 20; i++) replies.push(await mine.recvAsync<number>({ timeout: 10_000 }));
    mine.send('end');
    await worker.joinAsync();
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 2));
    // The worker closed its end: nothing left to read.
    expect(() => mine.recv()).toThrow(PipeClosedError);
    expect(() => mine.send(1)).toThrow(PipeClosedError);
  });

  it('poll says whether something can be received', async () => {
    const [a, b] = Pipe();
    expect(a.poll()).toBe(false);
    expect(a.poll(20)).toBe(false);
    b.send('hi');
    expect(a.poll()).toBe(true);
    expect(await a.pollAsync({ timeout: 10 })).toBe(true);
    expect(a.recv()).toBe('hi');
  });

  it('a one-way pipe receives on the first end and sends on the second', () => {
    const [reader, writer] = Pipe({ duplex: false });
    writer.send({ n: 1 });
    expect(reader.recv()).toEqual({ n: 1 });
    expect(() => reader.send(1)).toThrow('Connection.send: this end of the pipe only receives');
    expect(() => writer.recv()).toThrow('Connection.recv: this end of the pipe only sends');
    writer.close();
    expect(() => reader.recv()).toThrow('Connection.recv: the other end is closed and nothing is left to read');
    expect(() => writer.send(2)).toThrow('Connection.send: the connection is closed');
  });
});
