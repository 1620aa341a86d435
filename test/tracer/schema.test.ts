/** Which event kinds are synchronisation is a table that covers every kind, not a range of numbers. */
import { describe, expect, it } from 'vitest';
import { EventKind, isSyncKind, SYNCHRONISATION } from '../../src/tracer/schema.js';

describe('synchronisation kinds', () => {
  it('the table names every kind and nothing else', () => {
    expect(Object.keys(SYNCHRONISATION).sort()).toEqual(Object.keys(EventKind).sort());
  });

  it('isSyncKind answers from the table for every kind', () => {
    for (const [name, kind] of Object.entries(EventKind)) expect(isSyncKind(kind), name).toBe(SYNCHRONISATION[name as keyof typeof EventKind]);
  });

  it('primitives, messages, Atomics and annotations synchronise; accesses, metadata, async and blocking events do not', () => {
    for (const kind of [EventKind.ThreadSpawn, EventKind.LockRelease, EventKind.QueueGet, EventKind.MessageReceive, EventKind.AtomicStore, EventKind.AtomicWait, EventKind.AnnotateAfter]) {
      expect(isSyncKind(kind)).toBe(true);
    }
    for (const kind of [EventKind.MemoryRead, EventKind.MemoryWrite, EventKind.AtomicWaitBegin, EventKind.SiteDefine, EventKind.AsyncBefore, EventKind.BlockBegin, EventKind.AsyncJoin]) {
      expect(isSyncKind(kind)).toBe(false);
    }
  });

  it('a kind number no kind has is not synchronisation', () => {
    expect(isSyncKind(0)).toBe(false);
    expect(isSyncKind(200)).toBe(false);
  });
});
