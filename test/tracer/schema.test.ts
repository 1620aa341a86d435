/** Which event kinds are synchronisation is a table that covers every kind, not a range of numbers. */
import { describe, expect, it } from 'vitest';
import { decodeRecord, emptyRecord, EventKind, isAtomicsKind, isSyncKind, Record, SYNCHRONISATION, WIDTH_SHIFT, DETAIL_SHIFT } from '../../src/tracer/schema.js';

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

describe('records', () => {
  it('the Atomics kinds are exactly the kinds named Atomic*', () => {
    for (const [name, kind] of Object.entries(EventKind)) expect(isAtomicsKind(kind), name).toBe(name.startsWith('Atomic'));
  });

  it('one decoder reads every field of the layout, the kind word split in three', () => {
    const buffer = new ArrayBuffer(2 * Record.BYTES);
    const words = new Int32Array(buffer);
    const floats = new Float64Array(buffer);
    const at = Record.WORDS;
    words[at + Record.KIND_WORD] = EventKind.MemoryWrite | (8 << WIDTH_SHIFT) | (0xfffe << DETAIL_SHIFT);
    words[at + Record.SEQ] = -5;
    words[at + Record.OBJECT_HI] = -7;
    words[at + Record.OBJECT_LO] = 1234;
    words[at + Record.SITE] = 99;
    words[at + Record.ARG] = 4096;
    floats[(at >> 1) + Record.TIME_F64] = 1.5;
    expect(decodeRecord(words, floats, 1, emptyRecord())).toEqual({ kind: EventKind.MemoryWrite, width: 8, detail: 0xfffe, seq: -5, objectHi: -7, objectLo: 1234, site: 99, arg: 4096, time: 1.5 });
  });
});
