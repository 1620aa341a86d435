/**
 * The collector's end of the ring (ring.ts): it drains each lane's published records into a sink, frees the
 * lanes of threads that ended, wakes producers waiting for space, and answers flush requests.
 */
import { Record } from './schema.js';
import { LaneHeader, laneHeaderIndex, RingControl, recordsBase, ringShape } from './ring.js';

/** What a collector gets from one drain of one lane: whole records, in lane order (a view: copy it before returning). */
export type LaneSink = (lane: number, records: Uint8Array) => void;

/** The collector's end of the ring. */
export class RingReader {
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #lanes: number;
  readonly #capacity: number;
  readonly #mask: number;
  /** Records drained per lane, as plain numbers (no wrap-around). */
  readonly drained: number[];
  /**
   * Each lane's write cursor (uint32) as the last drain read it: everything before it is drained. The end
   * of a trace is this snapshot, not the cursors read afterwards — a daemon thread still running when the
   * program ends may write on after the last drain, and those records are past the end, not lost.
   */
  readonly drainedUpTo: number[];

  constructor(buffer: SharedArrayBuffer) {
    const { lanes, laneRecords } = ringShape(buffer);
    this.#words = new Int32Array(buffer);
    this.#bytes = new Uint8Array(buffer);
    this.#lanes = lanes;
    this.#capacity = laneRecords;
    this.#mask = laneRecords - 1;
    this.drained = new Array<number>(lanes).fill(0);
    this.drainedUpTo = new Array<number>(lanes).fill(0);
  }

  get lanes(): number {
    return this.#lanes;
  }

  /** Moves every published record out of the ring into `sink`; returns how many it moved. */
  drain(sink: LaneSink): number {
    const words = this.#words;
    let moved = 0;
    for (let lane = 0; lane < this.#lanes; lane++) {
      const header = laneHeaderIndex(lane);
      const owner = Atomics.load(words, header + LaneHeader.OWNER);
      if (owner === 0) continue;
      const write = Atomics.load(words, header + LaneHeader.WRITE);
      const read = Atomics.load(words, header + LaneHeader.READ);
      const count = (write - read) | 0;
      this.drainedUpTo[lane] = write >>> 0;
      if (count > 0) {
        const base = recordsBase(this.#lanes, this.#capacity, lane) * 4;
        const first = read & this.#mask;
        const untilEnd = Math.min(count, this.#capacity - first);
        const head = this.#bytes.subarray(base + first * Record.BYTES, base + (first + untilEnd) * Record.BYTES);
        if (untilEnd === count) {
          sink(lane, head);
        } else {
          // Wrapped: hand over one contiguous copy so that no record's text is split between two pieces.
          const joined = new Uint8Array(count * Record.BYTES);
          joined.set(head);
          joined.set(this.#bytes.subarray(base, base + (count - untilEnd) * Record.BYTES), head.length);
          sink(lane, joined);
        }
        Atomics.store(words, header + LaneHeader.READ, write);
        if (Atomics.load(words, header + LaneHeader.WAITING) === 1) Atomics.notify(words, header + LaneHeader.READ);
        this.drained[lane] = this.drained[lane]! + count;
        moved += count;
      }
      // A finished thread's lane is free again once nothing of it is left to drain.
      if (owner < 0 && Atomics.load(words, header + LaneHeader.WRITE) === write) {
        Atomics.compareExchange(words, header + LaneHeader.OWNER, owner, 0);
      }
    }
    return moved;
  }

  /** Sleeps until a producer rings or `timeout` ms pass. */
  sleep(timeout: number): void {
    const words = this.#words;
    Atomics.wait(words, RingControl.DOORBELL, Atomics.load(words, RingControl.DOORBELL), timeout);
  }

  flushRequests(): number {
    return Atomics.load(this.#words, RingControl.FLUSH_REQUESTS);
  }

  /** Tells waiting flushers that every request up to `request` is done. */
  flushed(request: number): void {
    Atomics.store(this.#words, RingControl.FLUSH_DONE, request);
    Atomics.notify(this.#words, RingControl.FLUSH_DONE);
  }

  stopped(): void {
    Atomics.store(this.#words, RingControl.STOPPED, 1);
    Atomics.notify(this.#words, RingControl.FLUSH_DONE);
  }

  /** Threads (ids) whose lanes are still attached: they had not ended when this was asked. */
  runningThreads(): number[] {
    const running: number[] = [];
    for (let lane = 0; lane < this.#lanes; lane++) {
      const owner = Atomics.load(this.#words, laneHeaderIndex(lane) + LaneHeader.OWNER);
      if (owner > 0) running.push(owner - 1);
    }
    return running;
  }
}
