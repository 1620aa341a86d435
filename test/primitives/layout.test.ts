import { describe, expect, it } from 'vitest';
import { Condition, Event, InvalidHandleError, Lock, RLock, Semaphore } from '../../src/primitives/index.js';
import { ALL_TAGS, Header, Tag } from '../../src/primitives/layout.js';
import { HANDLE_KEY } from '../../src/core/handles.js';
import { EventKind } from '../../src/tracer/schema.js';

describe('shared layouts', () => {
  it('no two primitives share a type tag', () => {
    expect(new Set(ALL_TAGS).size).toBe(ALL_TAGS.length);
    expect(Object.keys(Tag)).toHaveLength(ALL_TAGS.length);
  });

  it('no two event kinds share a code', () => {
    const codes = Object.values(EventKind);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('attaching the wrong primitive to a buffer fails clearly', () => {
    const lock = new Lock();
    expect(() => new Event(lock[HANDLE_KEY])).toThrow(InvalidHandleError);
    expect(() => new Event(lock[HANDLE_KEY])).toThrow('Event: invalid handle: the buffer does not hold a Event');
    expect(() => new RLock({ type: 'RLock', buffer: new SharedArrayBuffer(64), byteOffset: 2 })).toThrow('not 4-byte aligned');
    expect(() => new Semaphore({ type: 'Semaphore', buffer: new SharedArrayBuffer(8), byteOffset: 0 })).toThrow('out of range');
  });

  it('a handle attached to the same buffer controls the same lock', () => {
    const lock = new Lock();
    const other = new Lock(lock[HANDLE_KEY]);
    other.acquire();
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(other.locked()).toBe(false);
    expect(other.objectId).toBe(lock.objectId);
  });

  it('a primitive clones to nothing but its descriptor', () => {
    const condition = new Condition(new Lock());
    const clone = structuredClone(condition) as unknown as Record<string, unknown>;
    expect(Object.keys(clone)).toEqual([HANDLE_KEY]);
    expect(Header.WORDS).toBe(3);
  });
});
