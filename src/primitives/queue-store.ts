/**
 * A queue's storage in shared memory: the entry table (float64 slots per item: encoding, offset, length,
 * priority, item id) and the data arena of item bytes, both in growable SharedArrayBuffers, with the
 * control words that say where the live items are (head, count, arena top). FIFO takes from the head, LIFO
 * from the end, priority order keeps a binary heap. Every method runs with the queue's mutex held
 * (queue.ts keeps the protocol: waiting, shutdown, tracing, wake-ups).
 */
import { QueueEntry, QueueLayout, QueueOrderCode } from './layout.js';

const L = QueueLayout;
const E = QueueEntry;

/** An item to store, encoded (queue.ts). */
export interface EncodedItem {
  bytes: Uint8Array;
  priority: number;
  encoding: number;
  /** The item itself when it is a number. */
  number: number;
}

/** An item taken from the queue, still encoded. */
export interface TakenItem {
  encoding: number;
  bytes: Uint8Array;
  number: number;
}

export const NO_BYTES = new Uint8Array(0);

function growTo(buffer: SharedArrayBuffer, needed: number): boolean {
  if (needed <= buffer.byteLength) return true;
  if (needed > buffer.maxByteLength) return false;
  let size = buffer.byteLength;
  while (size < needed) size *= 2;
  buffer.grow(Math.min(size, buffer.maxByteLength));
  return true;
}

export class QueueStore {
  readonly #words: Int32Array;
  readonly #entriesBuffer: SharedArrayBuffer;
  readonly #arenaBuffer: SharedArrayBuffer;
  readonly #entries: Float64Array;
  readonly #arena: Uint8Array;
  readonly #order: number;

  constructor(words: Int32Array, entriesBuffer: SharedArrayBuffer, arenaBuffer: SharedArrayBuffer) {
    this.#words = words;
    this.#entriesBuffer = entriesBuffer;
    this.#arenaBuffer = arenaBuffer;
    this.#entries = new Float64Array(entriesBuffer);
    this.#arena = new Uint8Array(arenaBuffer);
    this.#order = words[L.ORDER] ?? 0;
  }

  /** The most item bytes the arena can ever hold. */
  get maxBytes(): number {
    return this.#arenaBuffer.maxByteLength;
  }

  /** Stores `item` after the live ones; its item id, or undefined when the tables cannot grow enough. */
  put({ bytes, priority, encoding, number }: EncodedItem): number | undefined {
    const words = this.#words;
    if (!this.#reserveEntry() || !this.#reserveBytes(bytes.length)) return undefined;
    const count = words[L.COUNT] ?? 0;
    const head = words[L.HEAD] ?? 0;
    let offset = number;
    if (bytes.length > 0) {
      offset = words[L.ARENA_TOP] ?? 0;
      this.#arena.set(bytes, offset);
      words[L.ARENA_TOP] = offset + bytes.length;
    }
    const itemId = words[L.NEXT_ITEM] ?? 0;
    words[L.NEXT_ITEM] = (itemId + 1) | 0;
    const slot = head + count;
    this.#writeEntry(slot, offset, bytes.length, priority, itemId, encoding);
    Atomics.store(words, L.COUNT, count + 1);
    if (this.#order === QueueOrderCode.priority) this.#siftUp(slot);
    return itemId;
  }

  /** Takes the next item in the queue's order (there is one). */
  take(): TakenItem & { itemId: number } {
    const words = this.#words;
    const count = words[L.COUNT] ?? 0;
    const head = words[L.HEAD] ?? 0;
    const entries = this.#entries;
    const slot = this.#order === QueueOrderCode.lifo ? head + count - 1 : head;
    const base = slot * E.SLOTS;
    const offset = entries[base + E.OFFSET] ?? 0;
    const length = entries[base + E.LENGTH] ?? 0;
    const itemId = entries[base + E.ITEM_ID] ?? 0;
    const encoding = entries[base + E.ENCODING] ?? 0;
    const bytes = length > 0 ? this.#arena.slice(offset, offset + length) : NO_BYTES;
    if (this.#order === QueueOrderCode.fifo) {
      words[L.HEAD] = head + 1;
    } else if (this.#order === QueueOrderCode.lifo) {
      if (length > 0 && offset + length === words[L.ARENA_TOP]) words[L.ARENA_TOP] = offset;
    } else {
      this.#moveEntry(head + count - 1, head);
      this.#siftDown(head, count - 1);
    }
    Atomics.store(words, L.COUNT, count - 1);
    if (count === 1) {
      words[L.HEAD] = 0;
      words[L.ARENA_TOP] = 0;
    }
    return { itemId, encoding, bytes, number: offset };
  }

  /** Makes room for one more entry at the end of the live range; false if the table cannot grow. */
  #reserveEntry(): boolean {
    const words = this.#words;
    const head = words[L.HEAD] ?? 0;
    const count = words[L.COUNT] ?? 0;
    const needed = (head + count + 1) * E.SLOTS * 8;
    if (needed <= this.#entriesBuffer.byteLength) return true;
    if (head > 0) {
      this.#entries.copyWithin(0, head * E.SLOTS, (head + count) * E.SLOTS);
      words[L.HEAD] = 0;
      return true;
    }
    return growTo(this.#entriesBuffer, needed);
  }

  /** Makes `length` bytes free at ARENA_TOP, compacting live items first and growing last. */
  #reserveBytes(length: number): boolean {
    const words = this.#words;
    if ((words[L.ARENA_TOP] ?? 0) + length <= this.#arenaBuffer.byteLength) return true;
    this.#compact();
    return growTo(this.#arenaBuffer, (words[L.ARENA_TOP] ?? 0) + length);
  }

  /** Moves every live item's bytes down to the start of the arena, in address order. */
  #compact(): void {
    const words = this.#words;
    const head = words[L.HEAD] ?? 0;
    const count = words[L.COUNT] ?? 0;
    const entries = this.#entries;
    const slots: number[] = [];
    for (let slot = head; slot < head + count; slot++) {
      if ((entries[slot * E.SLOTS + E.LENGTH] ?? 0) > 0) slots.push(slot);
    }
    slots.sort((a, b) => (entries[a * E.SLOTS + E.OFFSET] ?? 0) - (entries[b * E.SLOTS + E.OFFSET] ?? 0));
    let top = 0;
    for (const slot of slots) {
      const base = slot * E.SLOTS;
      const offset = entries[base + E.OFFSET] ?? 0;
      const length = entries[base + E.LENGTH] ?? 0;
      if (offset !== top) this.#arena.copyWithin(top, offset, offset + length);
      entries[base + E.OFFSET] = top;
      top += length;
    }
    words[L.ARENA_TOP] = top;
  }

  #writeEntry(slot: number, offset: number, length: number, priority: number, itemId: number, encoding: number): void {
    const base = slot * E.SLOTS;
    const entries = this.#entries;
    entries[base + E.ENCODING] = encoding;
    entries[base + E.OFFSET] = offset;
    entries[base + E.LENGTH] = length;
    entries[base + E.PRIORITY] = priority;
    entries[base + E.ITEM_ID] = itemId;
  }

  #moveEntry(from: number, to: number): void {
    if (from !== to) this.#entries.copyWithin(to * E.SLOTS, from * E.SLOTS, (from + 1) * E.SLOTS);
  }

  /** Priority order: lower priority first, then earlier item id (FIFO among equals). */
  #precedes(a: number, b: number): boolean {
    const entries = this.#entries;
    const pa = entries[a * E.SLOTS + E.PRIORITY] ?? 0;
    const pb = entries[b * E.SLOTS + E.PRIORITY] ?? 0;
    if (pa !== pb) return pa < pb;
    const ia = entries[a * E.SLOTS + E.ITEM_ID] ?? 0;
    const ib = entries[b * E.SLOTS + E.ITEM_ID] ?? 0;
    return ((ia - ib) | 0) < 0;
  }

  #swap(a: number, b: number): void {
    const entries = this.#entries;
    for (let i = 0; i < E.SLOTS; i++) {
      const t = entries[a * E.SLOTS + i] ?? 0;
      entries[a * E.SLOTS + i] = entries[b * E.SLOTS + i] ?? 0;
      entries[b * E.SLOTS + i] = t;
    }
  }

  #siftUp(slot: number): void {
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.#precedes(slot, parent)) return;
      this.#swap(slot, parent);
      slot = parent;
    }
  }

  #siftDown(slot: number, size: number): void {
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && this.#precedes(right, left) ? right : left;
      if (!this.#precedes(child, slot)) return;
      this.#swap(slot, child);
      slot = child;
    }
  }
}
