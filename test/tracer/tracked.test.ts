import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Thread, track, untracked } from '../../src/primitives/index.js';
import { startTracing, stopTracing, type EventRecorder } from '../../src/tracer/probe.js';
import { EventKind } from '../../src/tracer/schema.js';

class MemoryRecorder implements EventRecorder {
  readonly events: { kind: number; objectId: number; offset: number }[] = [];
  record(kind: EventKind, _thread: number, objectId: number, arg: number): void {
    this.events.push({ kind, objectId, offset: arg });
  }
}

afterEach(() => stopTracing());

describe('tracked shared memory', () => {
  it('while tracing is off, track returns the array itself', () => {
    const array = new Int32Array(new SharedArrayBuffer(16));
    expect(track(array)).toBe(array);
  });

  it('records element reads and writes with byte offsets; other properties and methods still work', () => {
    const recorder = new MemoryRecorder();
    startTracing(recorder);
    const buffer = new SharedArrayBuffer(64);
    const whole = track(new Float64Array(buffer));
    const tail = track(new Float64Array(buffer, 16, 2));
    whole[2] = 1.5;
    const read = tail[0];
    expect(read).toBe(1.5);
    expect(whole.length).toBe(8);
    expect(whole.subarray(2, 3)[0]).toBe(1.5);
    whole.fill(0);
    expect(recorder.events.map((e) => [e.kind, e.offset])).toEqual([
      [EventKind.MemoryWrite, 16],
      [EventKind.MemoryRead, 16],
    ]);
    const [write, readEvent] = recorder.events;
    expect(write!.objectId).toBe(readEvent!.objectId);
    expect(untracked(whole)).not.toBe(whole);
    expect(untracked(whole)[2]).toBe(0);
    const counter = track(new Int32Array(new SharedArrayBuffer(4)));
    expect(Atomics.add(untracked(counter), 0, 5)).toBe(0);
    expect(untracked(counter)[0]).toBe(5);
  });

  it('a tracked array can be passed to a thread, though a Proxy alone cannot be cloned', async () => {
    const recorder = new MemoryRecorder();
    startTracing(recorder);
    const view = track(new Int32Array(new SharedArrayBuffer(8)));
    view[0] = 1;
    const thread = new Thread({ target: 'bumpFirst', args: [view], module: new URL('./tracked-workers.ts', import.meta.url) });
    thread.start();
    await thread.joinAsync();
    expect(untracked(view)[0]).toBe(2);
  });

  it('refuses arrays that are not shared typed arrays', () => {
    startTracing(new MemoryRecorder());
    expect(() => track(new Int32Array(4))).toThrow(InvalidArgumentError);
    expect(() => track([1, 2] as never)).toThrow('track: expected a typed array (Int32Array, Float64Array, …)');
  });
});
