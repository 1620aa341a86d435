/**
 * The lossless shared ring: one SharedArrayBuffer holding a control block and one lane per thread. Each
 * lane has a single producer (the thread that claimed it) and a single consumer (the collector), so the
 * hot path needs no compare-and-swap: write the record's words, then publish the new write cursor with one
 * `Atomics.store`. When a lane is full its producer sleeps until the collector frees space — no event is
 * ever dropped. Synchronisation events also take a global sequence number so that a reader can merge the
 * lanes in an order consistent with real time. This module is the layout and the producers' end; the
 * collector's end is ring-reader.ts.
 */
import { threadId } from 'node:worker_threads';
import { InvalidArgumentError } from '../core/errors.js';
import { EventKind, Record, textSlots, WIDTH_SHIFT } from './schema.js';

export const RingControl = {
  TAG: 0,
  LANES: 1,
  LANE_RECORDS: 2,
  /** Next global sequence number for synchronisation events. */
  SEQ: 3,
  /** Next call-site id. */
  SITE: 4,
  /** Producers bump and notify it to wake the collector early. */
  DOORBELL: 5,
  /** Flush requests made (by the exiting main thread, signal handlers, timeouts). */
  FLUSH_REQUESTS: 6,
  /** Flush requests the collector has completed. */
  FLUSH_DONE: 7,
  /** 1 once the collector has written the end of the trace and stopped. */
  STOPPED: 8,
  /** Set with the last flush request of a run: the collector ends the trace after it. */
  FINAL: 9,
  WORDS: 16,
} as const;

export const LaneHeader = {
  /** threadId + 1 of the owner; 0 free; −(threadId + 1) while the collector drains a finished thread's lane. */
  OWNER: 0,
  /** Records ever written (uint32, wrapping). */
  WRITE: 1,
  /** Records ever drained by the collector. */
  READ: 2,
  /** 1 while the producer sleeps on READ for space. */
  WAITING: 3,
  WORDS: 8,
} as const;

const RING_TAG = 0x52435247; // "RCRG"

export interface RingOptions {
  /** Lanes, i.e. threads that can record at once (default 64). */
  lanes?: number;
  /** Records per lane, a power of two >= 64 (default 16384: 512 KiB per lane). */
  laneRecords?: number;
}

export interface RingShape {
  lanes: number;
  laneRecords: number;
}

export function checkRingOptions(options: RingOptions = {}): RingShape {
  const lanes = options.lanes ?? 64;
  const laneRecords = options.laneRecords ?? 16384;
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 4096) {
    throw new InvalidArgumentError(`ring: lanes must be an integer from 1 to 4096, got ${String(lanes)}`);
  }
  if (!Number.isInteger(laneRecords) || laneRecords < 64 || laneRecords > 1 << 24 || (laneRecords & (laneRecords - 1)) !== 0) {
    throw new InvalidArgumentError(
      `ring: laneRecords must be a power of two from 64 to 16777216, got ${String(laneRecords)}`,
    );
  }
  return { lanes, laneRecords };
}

export function laneHeaderIndex(lane: number): number {
  return RingControl.WORDS + lane * LaneHeader.WORDS;
}

export function recordsBase(lanes: number, laneRecords: number, lane: number): number {
  return RingControl.WORDS + lanes * LaneHeader.WORDS + lane * laneRecords * Record.WORDS;
}

/** Allocates a ring. */
export function createRing(options?: RingOptions): SharedArrayBuffer {
  const { lanes, laneRecords } = checkRingOptions(options);
  const words = RingControl.WORDS + lanes * LaneHeader.WORDS + lanes * laneRecords * Record.WORDS;
  const buffer = new SharedArrayBuffer(words * 4);
  const control = new Int32Array(buffer, 0, RingControl.WORDS);
  control[RingControl.TAG] = RING_TAG;
  control[RingControl.LANES] = lanes;
  control[RingControl.LANE_RECORDS] = laneRecords;
  control[RingControl.SITE] = 1;
  return buffer;
}

export function ringShape(buffer: SharedArrayBuffer): RingShape {
  const control = new Int32Array(buffer, 0, RingControl.WORDS);
  if (control[RingControl.TAG] !== RING_TAG) throw new InvalidArgumentError('ring: the buffer is not a racecheck ring');
  return { lanes: control[RingControl.LANES]!, laneRecords: control[RingControl.LANE_RECORDS]! };
}

const textEncoder = new TextEncoder();
const timeOrigin = performance.timeOrigin;

/**
 * A thread's writing end. Claims a lane on first use and gives it back when the thread exits. Methods take
 * numbers only and allocate nothing on the fast path.
 */
export class RingWriter {
  readonly #words: Int32Array;
  readonly #floats: Float64Array;
  readonly #lanes: number;
  readonly #capacity: number;
  readonly #mask: number;
  #lane = -1;
  #header = 0;
  #base = 0;
  /** Our copy of the lane's write cursor (only this thread writes it). */
  #write = 0;
  /** The collector's read cursor as last seen: space is known free up to #read + capacity. */
  #read = 0;

  constructor(buffer: SharedArrayBuffer) {
    const { lanes, laneRecords } = ringShape(buffer);
    this.#words = new Int32Array(buffer);
    this.#floats = new Float64Array(buffer);
    this.#lanes = lanes;
    this.#capacity = laneRecords;
    this.#mask = laneRecords - 1;
  }

  /** The lane this thread writes, or −1 before its first event. */
  get lane(): number {
    return this.#lane;
  }

  /** Writes one event; `sync` events take the next global sequence number. */
  record(kind: number, width: number, objectHi: number, objectLo: number, site: number, arg: number, sync: boolean): void {
    if (this.#lane < 0) this.#attach();
    this.#writeRecord(kind, width, objectHi, objectLo, site, arg, sync ? Atomics.add(this.#words, RingControl.SEQ, 1) : -1);
  }

  /** One record; `sequence` −1 for an event ordered by its thread alone (no number, no time). */
  #writeRecord(kind: number, width: number, objectHi: number, objectLo: number, site: number, arg: number, sequence: number): void {
    const slot = this.#reserve(1);
    const words = this.#words;
    const at = this.#base + slot * Record.WORDS;
    words[at + Record.KIND_WORD] = kind | (width << WIDTH_SHIFT);
    words[at + Record.OBJECT_HI] = objectHi;
    words[at + Record.OBJECT_LO] = objectLo;
    words[at + Record.SITE] = site;
    words[at + Record.ARG] = arg;
    words[at + Record.SEQ] = sequence < 0 ? 0 : sequence;
    this.#floats[(at >> 1) + Record.TIME_F64] = sequence < 0 ? 0 : timeOrigin + performance.now();
    this.#publish(1);
  }

  /**
   * Takes the next global sequence number now, for an event written later with `recordAt` (an operation's
   * release half must be numbered before the operation, but what it did is known only after). Every number
   * taken must be written: the reader merges threads by consecutive numbers.
   */
  takeSequence(): number {
    if (this.#lane < 0) this.#attach();
    return Atomics.add(this.#words, RingControl.SEQ, 1);
  }

  /** Writes a synchronisation event under a sequence number taken earlier with `takeSequence`. */
  recordAt(kind: number, width: number, objectHi: number, objectLo: number, site: number, arg: number, sequence: number): void {
    this.#writeRecord(kind, width, objectHi, objectLo, site, arg, sequence);
  }

  /** Writes a record carrying UTF-8 text in the slots after it (site and thread-name definitions). */
  recordText(kind: number, objectLo: number, text: string): void {
    if (this.#lane < 0) this.#attach();
    this.#writeText(kind, objectLo, text);
  }

  #writeText(kind: number, objectLo: number, text: string): void {
    const bytes = textEncoder.encode(text);
    const slots = 1 + textSlots(bytes.length);
    if (slots > this.#capacity) throw new InvalidArgumentError(`ring: a text of ${bytes.length} bytes does not fit in a lane`);
    const first = this.#reserve(slots);
    const words = this.#words;
    const at = this.#base + first * Record.WORDS;
    words.fill(0, at, at + Record.WORDS);
    words[at + Record.KIND_WORD] = kind;
    words[at + Record.OBJECT_LO] = objectLo;
    words[at + Record.ARG] = bytes.length;
    const laneBytes = new Uint8Array(words.buffer, (this.#base) * 4, this.#capacity * Record.BYTES);
    for (let i = 0; i < bytes.length; i += Record.BYTES) {
      const slot = (first + 1 + i / Record.BYTES) & this.#mask;
      laneBytes.set(bytes.subarray(i, i + Record.BYTES), slot * Record.BYTES);
    }
    this.#publish(slots);
  }

  /** Next global call-site id. */
  nextSiteId(): number {
    return Atomics.add(this.#words, RingControl.SITE, 1);
  }

  /** The first of `count` consecutive global call-site ids. */
  reserveSiteIds(count: number): number {
    return Atomics.add(this.#words, RingControl.SITE, count);
  }

  /** Slot index of the first of `count` consecutive free records, waiting for the collector if needed. */
  #reserve(count: number): number {
    if (((this.#write - this.#read) | 0) + count > this.#capacity) this.#waitForSpace(count);
    return this.#write & this.#mask;
  }

  #publish(count: number): void {
    const words = this.#words;
    const before = (this.#write - this.#read) | 0;
    this.#write = (this.#write + count) | 0;
    Atomics.store(words, this.#header + LaneHeader.WRITE, this.#write);
    // Wake the collector once when a lane passes half full, so that it drains before anyone must wait.
    if (before < this.#capacity >> 1 && before + count >= this.#capacity >> 1) this.#ring();
  }

  #ring(): void {
    Atomics.add(this.#words, RingControl.DOORBELL, 1);
    Atomics.notify(this.#words, RingControl.DOORBELL);
  }

  /** The slow path: refresh the collector's cursor, and sleep on it while the lane is still too full. */
  #waitForSpace(count: number): void {
    const words = this.#words;
    const readIndex = this.#header + LaneHeader.READ;
    for (;;) {
      this.#read = Atomics.load(words, readIndex);
      if (((this.#write - this.#read) | 0) + count <= this.#capacity) return;
      if (Atomics.load(words, RingControl.STOPPED) === 1) {
        // The trace has ended and nobody drains any more: a daemon thread outliving it writes over its own
        // lane rather than sleeping forever.
        this.#read = (this.#write + count - this.#capacity) | 0;
        return;
      }
      Atomics.store(words, this.#header + LaneHeader.WAITING, 1);
      this.#ring();
      Atomics.wait(words, readIndex, this.#read, 50);
      Atomics.store(words, this.#header + LaneHeader.WAITING, 0);
    }
  }

  #attach(): void {
    const words = this.#words;
    const me = threadId + 1;
    for (;;) {
      for (let lane = 0; lane < this.#lanes; lane++) {
        const header = laneHeaderIndex(lane);
        if (Atomics.compareExchange(words, header + LaneHeader.OWNER, 0, me) === 0) {
          this.#lane = lane;
          this.#header = header;
          this.#base = recordsBase(this.#lanes, this.#capacity, lane);
          this.#write = Atomics.load(words, header + LaneHeader.WRITE);
          this.#read = Atomics.load(words, header + LaneHeader.READ);
          this.record(EventKind.LaneAttach, 0, 0, threadId, 0, threadId, false);
          return;
        }
      }
      // Every lane is taken: wait for the collector to free the lane of a thread that ended.
      this.#ring();
      Atomics.wait(words, RingControl.DOORBELL, Atomics.load(words, RingControl.DOORBELL), 10);
    }
  }

  /** Gives the lane back (the collector frees it once drained). Called when the thread ends. */
  detach(): void {
    if (this.#lane < 0) return;
    this.record(EventKind.LaneDetach, 0, 0, threadId, 0, threadId, false);
    Atomics.store(this.#words, this.#header + LaneHeader.OWNER, -(threadId + 1));
    this.#ring();
    this.#lane = -1;
  }

  /**
   * Asks the collector to drain everything written so far and waits (up to `timeout` ms) until it has;
   * `final` also ends the trace.
   */
  flush(timeout = 10_000, final = false): boolean {
    const words = this.#words;
    if (final) Atomics.store(words, RingControl.FINAL, 1);
    const request = Atomics.add(words, RingControl.FLUSH_REQUESTS, 1) + 1;
    this.#ring();
    const deadline = performance.now() + timeout;
    for (;;) {
      const done = Atomics.load(words, RingControl.FLUSH_DONE);
      if (done - request >= 0 || Atomics.load(words, RingControl.STOPPED) === 1) return true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.wait(words, RingControl.FLUSH_DONE, done, remaining);
    }
  }
}

/** Records written into the ring so far, by every thread (a cheap "anything new?" for callers that poll). */
export function recordsWritten(buffer: SharedArrayBuffer): number {
  const { lanes } = ringShape(buffer);
  const words = new Int32Array(buffer, 0, RingControl.WORDS + lanes * LaneHeader.WORDS);
  let total = 0;
  for (let lane = 0; lane < lanes; lane++) total += Atomics.load(words, laneHeaderIndex(lane) + LaneHeader.WRITE) >>> 0;
  return total;
}
