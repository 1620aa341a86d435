import { afterEach, describe, expect, it } from 'vitest';
import { Event, Lock, Queue, RLock, Semaphore } from '../../src/primitives/index.js';
import { startTracing, stopTracing, type EventRecorder } from '../../src/tracer/probe.js';
import { EventKind, eventKindName } from '../../src/tracer/schema.js';

class MemoryRecorder implements EventRecorder {
  readonly events: { kind: string; objectId: number; arg: number }[] = [];
  record(kind: EventKind, _thread: number, objectId: number, arg: number): void {
    this.events.push({ kind: eventKindName(kind)!, objectId, arg });
  }
}

afterEach(() => stopTracing());

describe('the instrumentation hook', () => {
  it('records each operation with the object it touched, in order (try-acquires marked as such)', () => {
    const recorder = new MemoryRecorder();
    const lock = new Lock();
    const queue = new Queue<string>();
    startTracing(recorder);
    lock.acquire();
    lock.release();
    lock.acquire({ blocking: false });
    lock.acquire({ blocking: false });
    queue.put('a');
    queue.get();
    stopTracing();
    lock.release();
    expect(recorder.events).toEqual([
      { kind: 'LockAttempt', objectId: lock.objectId, arg: 0 },
      { kind: 'LockAcquired', objectId: lock.objectId, arg: 0 },
      { kind: 'LockRelease', objectId: lock.objectId, arg: 0 },
      { kind: 'LockAttempt', objectId: lock.objectId, arg: 1 },
      { kind: 'LockAcquired', objectId: lock.objectId, arg: 1 },
      { kind: 'LockAttempt', objectId: lock.objectId, arg: 1 },
      { kind: 'LockTryFailed', objectId: lock.objectId, arg: 1 },
      { kind: 'QueuePut', objectId: queue.objectId, arg: 0 },
      { kind: 'QueueGet', objectId: queue.objectId, arg: 0 },
    ]);
  });

  it('records only the outermost acquire and release of an RLock', () => {
    const recorder = new MemoryRecorder();
    const lock = new RLock();
    startTracing(recorder);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.release();
    stopTracing();
    expect(recorder.events.map((e) => e.kind)).toEqual(['LockAttempt', 'LockAcquired', 'LockRelease']);
  });

  it('records nothing while tracing is off', () => {
    const recorder = new MemoryRecorder();
    startTracing(recorder);
    stopTracing();
    const event = new Event();
    event.set();
    new Semaphore(1).acquire();
    expect(recorder.events).toEqual([]);
  });

  it('gives every primitive a distinct identity', () => {
    const ids = new Set([new Lock(), new Lock(), new Event(), new Queue()].map((p) => p.objectId));
    expect(ids.size).toBe(4);
  });
});
