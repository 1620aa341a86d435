import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  currentThread,
  Event,
  InvalidArgumentError,
  Lock,
  Queue,
  Thread,
  ThreadFailedError,
  ThreadStateError,
  ThreadTargetError,
  Timer,
} from '../../src/primitives/index.js';
import {
  Counter,
  exitEarly,
  holdLockUntil,
  incrementUnderLock,
  joinOther,
  rejectLater,
  reportIdentity,
  setFlag,
  spawn,
  throwTypeError,
} from './workers.js';

const workersModule = new URL('./workers.ts', import.meta.url);

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

describe('Thread', () => {
  it('runs an exported function with arguments; start, isAlive, ident, name, join', async () => {
    const lock = new Lock();
    const held = new Event();
    const letGo = new Event();
    const thread = new Thread({ target: holdLockUntil, args: [lock, held, letGo], module: workersModule, name: 'holder' });
    expect(thread.name).toBe('holder');
    expect(thread.ident).toBeUndefined();
    expect(thread.isAlive()).toBe(false);
    thread.start();
    expect(thread.isAlive()).toBe(true);
    expect(thread.ident).toBeGreaterThan(0);
    await held.waitAsync();
    expect(await thread.joinAsync({ timeout: 20 })).toBe(false);
    letGo.set();
    expect(await thread.joinAsync()).toBe(true);
    expect(thread.isAlive()).toBe(false);
  });

  it('currentThread() names the thread in the worker and the main thread here', async () => {
    const out = sharedInts(1);
    const thread = spawn(reportIdentity, out);
    await thread.joinAsync();
    expect(out[0]).toBe(thread.ident);
    expect(currentThread().name).toBe('MainThread');
    expect(currentThread().ident).toBe(0);
  });

  it('runs a subclass run() with its own fields', async () => {
    const counter = sharedInts(1);
    const lock = new Lock();
    const threads = [new Counter(counter, lock, 1000), new Counter(counter, lock, 2000)];
    for (const thread of threads) thread.start();
    for (const thread of threads) await thread.joinAsync();
    expect(counter[0]).toBe(3000);
  });

  it('an error thrown in the thread reaches whoever joins it, every time', async () => {
    const thread = spawn(throwTypeError, 'bad input');
    const failure = await thread.joinAsync().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ThreadFailedError);
    expect((failure as Error).message).toMatch(/^thread 'Thread-\d+ \(throwTypeError\)' failed: TypeError: bad input$/);
    const cause = (failure as ThreadFailedError).cause as Error;
    expect(cause.name).toBe('TypeError');
    expect(cause.stack).toContain('workers.ts');
    await expect(thread.joinAsync()).rejects.toThrow(ThreadFailedError);
    expect(() => thread.join()).toThrow(ThreadFailedError);
  });

  it('a rejected async target fails the thread too', async () => {
    await expect(spawn(rejectLater, 'later').joinAsync()).rejects.toThrow("failed: RangeError: later");
  });

  it('process.exit inside a thread is reported as a failure', async () => {
    await expect(spawn(exitEarly).joinAsync()).rejects.toThrow(/called process\.exit\(7\)/);
  });

  it('a worker can block in join() on another thread passed to it', async () => {
    const lock = new Lock();
    const held = new Event();
    const letGo = new Event();
    const first = spawn(holdLockUntil, lock, held, letGo);
    const out = sharedInts(1);
    const joiner = spawn(joinOther, first, out);
    await held.waitAsync();
    letGo.set();
    await joiner.joinAsync();
    expect(out[0]).toBe(1);
  });

  it('a missing module is refused at start, a missing export at join', async () => {
    const missing = new Thread({ target: 'work', module: new URL('./no-such-file.ts', import.meta.url) });
    expect(() => missing.start()).toThrow(ThreadTargetError);
    expect(() => missing.start()).toThrow(/^Thread\.start: module not found: .*no-such-file\.ts$/);
    const noExport = new Thread({ target: 'noSuchFunction', module: workersModule });
    noExport.start();
    const failure = await noExport.joinAsync().catch((error: unknown) => error);
    expect(((failure as ThreadFailedError).cause as Error).message).toMatch(
      /^Thread target 'noSuchFunction' is not an exported function of file:.*workers\.ts; export it/,
    );
  });

  it('refuses wrong use with ThreadStateError and InvalidArgumentError', async () => {
    const thread = new Thread({ target: setFlag, args: [sharedInts(1), 0], module: workersModule });
    expect(() => thread.join()).toThrow("Thread.join: cannot join thread 'Thread-");
    thread.start();
    expect(() => thread.start()).toThrow(ThreadStateError);
    await thread.joinAsync();
    expect(() => new Thread({ target: 42 as never })).toThrow(InvalidArgumentError);
    const anonymous = [(): number => 1][0]!;
    expect(() => new Thread({ target: anonymous, module: workersModule })).toThrow(/named, exported function/);
    expect(() => thread.join(-1)).toThrow(InvalidArgumentError);
  });
});

describe('Timer', () => {
  it('fires after its interval', async () => {
    const flags = sharedInts(1);
    const timer = new Timer(30, setFlag, [flags, 0], { module: workersModule });
    timer.start();
    await timer.joinAsync();
    expect(flags[0]).toBe(1);
    expect(timer.finished.isSet()).toBe(true);
  });

  it('does nothing when cancelled first', async () => {
    const flags = sharedInts(1);
    const timer = new Timer(10_000, setFlag, [flags, 0], { module: workersModule });
    timer.start();
    timer.cancel();
    expect(await timer.joinAsync({ timeout: 5_000 })).toBe(true);
    expect(flags[0]).toBe(0);
  });
});

describe('handles across threads', () => {
  it('a primitive in workerData or a message of a plain Worker arrives as a working handle', async () => {
    const lock = new Lock();
    const counter = sharedInts(1);
    const worker = new Worker(new URL('./raw-worker.mjs', import.meta.url), { workerData: { lock, counter, times: 5000 } });
    const reply = new Queue<string>();
    const messages = once(worker, 'message');
    for (let i = 0; i < 5000; i++) lock.withLock(() => void (counter[0] = counter[0]! + 1));
    worker.postMessage({ reply });
    expect(await reply.getAsync({ timeout: 20_000 })).toBe('a working Queue');
    const [message] = (await messages) as [{ fresh: Lock }];
    expect(message.fresh).toBeInstanceOf(Lock);
    expect(message.fresh.locked()).toBe(true);
    await worker.terminate();
    expect(counter[0]).toBe(10_000);
  });

  it('the same handle passed twice controls the same state', async () => {
    const counter = sharedInts(1);
    const lock = new Lock();
    await Promise.all([spawn(incrementUnderLock, counter, lock, 5000), spawn(incrementUnderLock, counter, lock, 5000)].map((t) => t.joinAsync()));
    expect(counter[0]).toBe(10_000);
  });
});
