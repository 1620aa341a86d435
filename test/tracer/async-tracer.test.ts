import { afterEach, describe, expect, it } from 'vitest';
import { AsyncTracer, enterTask, exitTask, suspendTask } from '../../src/tracer/async-tracer.js';
import { startTracing, stopTracing, type EventRecorder } from '../../src/tracer/probe.js';
import { EventKind } from '../../src/tracer/schema.js';

class MemoryRecorder implements EventRecorder {
  readonly events: { kind: number; id: number; arg: number }[] = [];
  record(kind: EventKind, _thread: number, objectId: number, arg: number): void {
    this.events.push({ kind, id: objectId, arg });
  }
}

/** Something async with a known answer: a chain, a fan-out and a timer. */
async function compute(): Promise<number> {
  const step = async (n: number): Promise<number> => {
    await Promise.resolve();
    return n * 2;
  };
  const parts = await Promise.all([1, 2, 3].map(step));
  const delayed = await new Promise<number>((resolve) => setTimeout(() => resolve(10), 1));
  return parts.reduce((a, b) => a + b, 0) + delayed;
}

let tracer: AsyncTracer | undefined;
afterEach(() => {
  tracer?.stop();
  stopTracing();
});

describe('the async tracer', () => {
  it('does not change what the program computes', async () => {
    const plain = await compute();
    tracer = new AsyncTracer();
    startTracing(new MemoryRecorder());
    tracer.start();
    const traced = await compute();
    expect(traced).toBe(plain);
    expect(traced).toBe(22);
  });

  it('records each promise with what triggered it, its runs and its settlement', async () => {
    const recorder = new MemoryRecorder();
    startTracing(recorder);
    tracer = new AsyncTracer();
    tracer.start();
    await compute();
    tracer.stop();
    const inits = recorder.events.filter((e) => e.kind === EventKind.AsyncInit);
    expect(inits.length).toBeGreaterThan(5);
    const ids = new Set(inits.map((e) => e.id));
    expect(ids.size).toBe(inits.length);
    // Some promise was created by another one (an await chain), and its parent is a known task.
    const child = inits.find((e) => e.arg !== 0 && ids.has(e.arg));
    expect(child).toBeDefined();
    const before = recorder.events.filter((e) => e.kind === EventKind.AsyncBefore);
    expect(before.length).toBeGreaterThan(0);
    // A run lasts until the next begins: ends are not recorded.
    expect(recorder.events.filter((e) => e.kind === EventKind.AsyncAfter)).toEqual([]);
    expect(recorder.events.some((e) => e.kind === EventKind.PromiseResolve)).toBe(true);
  });

  it('records timers with the segment that created them, and nothing once stopped', async () => {
    const recorder = new MemoryRecorder();
    startTracing(recorder);
    tracer = new AsyncTracer();
    tracer.start();
    await new Promise((resolve) => setTimeout(resolve, 1));
    tracer.stop();
    // The timer's callback runs as a task of its own: a before whose resource was initialised earlier.
    const inits = new Set(recorder.events.filter((e) => e.kind === EventKind.AsyncInit).map((e) => e.id));
    const runs = recorder.events.filter((e) => e.kind === EventKind.AsyncBefore);
    expect(runs.some((e) => inits.has(e.id))).toBe(true);
    expect(recorder.events.some((e) => e.kind === EventKind.AsyncTaskEnter)).toBe(true);
    const count = recorder.events.length;
    await compute();
    expect(recorder.events.length).toBe(count);
  });

  it("an announced await reads a thenable's then once, as a plain await does", async () => {
    tracer = new AsyncTracer();
    tracer.start();
    let reads = 0;
    const thenable = {
      get then() {
        reads++;
        return (resolve: (value: number) => void) => resolve(7);
      },
    };
    const task = enterTask(0);
    try {
      expect(await suspendTask(thenable, task, 0)).toBe(7);
    } finally {
      exitTask(task);
    }
    expect(reads).toBe(1);
  });
});
