/**
 * Queue shared across threads, in FIFO, LIFO or priority order (Python's `queue.Queue`, `LifoQueue`,
 * `PriorityQueue`). Items are copied through shared memory with `node:v8` serialization, so a blocked `get`
 * in a worker wakes without any event loop.
 *
 * Memory: a control block of Int32 words (layout.ts), an entry table and a data arena of item bytes
 * (queue-store.ts). Both tables live in growable SharedArrayBuffers; length-tracking views see growth in
 * every thread. All changes happen under the
 * queue's futex mutex; waiters sleep on PUT_SEQ (for items) or GET_SEQ (for room), which every put or get
 * bumps under the mutex, so no wake-up can be lost between "it was empty" and "I sleep".
 */
import { deserialize, serialize } from 'node:v8';
import {
  InvalidArgumentError,
  ItemTooLargeError,
  NotCloneableError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskDoneError,
} from '../core/errors.js';
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { QueueEntry, QueueItemEncoding, QueueLayout, QueueOrderCode, Tag } from './layout.js';
import { lockWordAsync, lockWordSync, unlockWord } from './mutex-word.js';
import {
  allocate,
  attach,
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  objectIdOf,
  registerReviver,
  type SharedDescriptor,
} from '../core/handles.js';
import { NO_BYTES, QueueStore, type EncodedItem, type TakenItem } from './queue-store.js';
import { checkTimeout, deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

const L = QueueLayout;
const E = QueueEntry;

export type QueueOrder = keyof typeof QueueOrderCode;

export interface QueueOptions {
  /** 'fifo' (default), 'lifo', or 'priority' (lowest first; items are numbers or `[priority, …]` tuples). */
  order?: QueueOrder;
  /** Most items the queue holds; 0 (default) for no limit on the count. */
  maxsize?: number;
  /** Most bytes of serialized items the queue holds (default 64 MiB); a put that does not fit waits. */
  maxBytes?: number;
}

/** For Pipe: the queue carrying one direction of a connection records pipe send/recv events instead. */
interface ChannelOptions extends QueueOptions {
  channel?: boolean;
}

export interface PutOptions {
  /** false: fail at once with QueueFullError instead of waiting for room. Default true. */
  block?: boolean;
  timeout?: number;
}

export interface GetOptions {
  /** false: fail at once with QueueEmptyError instead of waiting for an item. Default true. */
  block?: boolean;
  timeout?: number;
}

const INITIAL_ARENA_BYTES = 64 * 1024;
const INITIAL_ENTRIES = 256;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 1 << 24;

function priorityOf(item: unknown, where: string): number {
  const key = Array.isArray(item) ? item[0] : item;
  if (typeof key !== 'number' || Number.isNaN(key)) {
    throw new InvalidArgumentError(
      `${where}: a priority queue takes numbers or [priority, value] tuples with a numeric priority`,
    );
  }
  return key;
}

function decodeItem(item: TakenItem): unknown {
  switch (item.encoding) {
    case QueueItemEncoding.NUMBER:
      return item.number;
    case QueueItemEncoding.STRING:
      return Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength).toString('utf8');
    case QueueItemEncoding.TRUE:
      return true;
    case QueueItemEncoding.FALSE:
      return false;
    case QueueItemEncoding.NULL:
      return null;
    case QueueItemEncoding.UNDEFINED:
      return undefined;
    default:
      return deserialize(item.bytes);
  }
}

/** Outcome of one attempt made with the queue's mutex held. */
const enum Attempt {
  Done,
  Wait,
  ShutDown,
}

export class Queue<T = unknown> {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #store: QueueStore;
  readonly #id: number;
  readonly #order: number;
  readonly #putKind: EventKind;
  readonly #getKind: EventKind;

  constructor(options: QueueOptions | SharedDescriptor = {}) {
    const channel = Boolean((options as ChannelOptions | SharedDescriptor)['channel']);
    this.#putKind = channel ? EventKind.PipeSend : EventKind.QueuePut;
    this.#getKind = channel ? EventKind.PipeRecv : EventKind.QueueGet;
    let entriesBuffer: SharedArrayBuffer;
    let arenaBuffer: SharedArrayBuffer;
    if (HANDLE_KEY in options || 'buffer' in options) {
      const shared = options as SharedDescriptor;
      this.#words = attach(shared, Tag.Queue, L.WORDS, 'Queue');
      entriesBuffer = shared['entries'] as SharedArrayBuffer;
      arenaBuffer = shared['arena'] as SharedArrayBuffer;
    } else {
      const { order = 'fifo', maxsize = 0, maxBytes = DEFAULT_MAX_BYTES } = options as QueueOptions;
      if (!(order in QueueOrderCode)) {
        throw new InvalidArgumentError(`Queue: order must be 'fifo', 'lifo' or 'priority', got ${String(order)}`);
      }
      if (!Number.isInteger(maxsize) || maxsize < 0) {
        throw new InvalidArgumentError(`Queue: maxsize must be an integer >= 0, got ${String(maxsize)}`);
      }
      if (!Number.isInteger(maxBytes) || maxBytes < 1024) {
        throw new InvalidArgumentError(`Queue: maxBytes must be an integer >= 1024, got ${String(maxBytes)}`);
      }
      this.#words = allocate(Tag.Queue, L.WORDS);
      this.#words[L.ORDER] = QueueOrderCode[order];
      this.#words[L.MAXSIZE] = maxsize;
      const maxEntries = maxsize > 0 ? maxsize : MAX_ENTRIES;
      entriesBuffer = new SharedArrayBuffer(Math.min(INITIAL_ENTRIES, maxEntries) * E.SLOTS * 8, {
        maxByteLength: maxEntries * E.SLOTS * 8,
      });
      arenaBuffer = new SharedArrayBuffer(Math.min(INITIAL_ARENA_BYTES, maxBytes), { maxByteLength: maxBytes });
    }
    this.#store = new QueueStore(this.#words, entriesBuffer, arenaBuffer);
    this.#order = this.#words[L.ORDER] ?? 0;
    this.#id = objectIdOf(this.#words);
    if (!(HANDLE_KEY in options || 'buffer' in options) && tracing) {
      emit(EventKind.ObjectCreate, this.#id, channel ? ObjectType.Pipe : ObjectType.Queue);
    }
    exposeDescriptor(
      this,
      describe('Queue', this.#words, { entries: entriesBuffer, arena: arenaBuffer, channel }),
    );
  }

  get objectId(): number {
    return this.#id;
  }

  get maxsize(): number {
    return this.#words[L.MAXSIZE] ?? 0;
  }

  /** Items in the queue now (a snapshot). */
  qsize(): number {
    return Atomics.load(this.#words, L.COUNT);
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  full(): boolean {
    const maxsize = this.maxsize;
    return maxsize > 0 && this.qsize() >= maxsize;
  }

  #encode(item: T, where: string): EncodedItem {
    const priority = this.#order === QueueOrderCode.priority ? priorityOf(item, where) : 0;
    switch (typeof item) {
      case 'number':
        return { bytes: NO_BYTES, priority, encoding: QueueItemEncoding.NUMBER, number: item };
      case 'string':
        return this.#checkSize({ bytes: Buffer.from(item, 'utf8'), priority, encoding: QueueItemEncoding.STRING, number: 0 }, where);
      case 'boolean':
        return { bytes: NO_BYTES, priority, encoding: item ? QueueItemEncoding.TRUE : QueueItemEncoding.FALSE, number: 0 };
      case 'undefined':
        return { bytes: NO_BYTES, priority, encoding: QueueItemEncoding.UNDEFINED, number: 0 };
      default:
        if (item === null) return { bytes: NO_BYTES, priority, encoding: QueueItemEncoding.NULL, number: 0 };
    }
    return this.#checkSize({ bytes: this.#serialize(item, where), priority, encoding: QueueItemEncoding.V8, number: 0 }, where);
  }

  #serialize(item: T, where: string): Uint8Array {
    try {
      return serialize(item);
    } catch (error) {
      throw new NotCloneableError(`${where}: the item cannot be cloned: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  #checkSize(encoded: EncodedItem, where: string): EncodedItem {
    const { bytes } = encoded;
    if (bytes.length > this.#store.maxBytes) {
      throw new ItemTooLargeError(
        `${where}: the item takes ${bytes.length} bytes serialized, more than the queue's maxBytes (${this.#store.maxBytes})`,
      );
    }
    return encoded;
  }

  /** Puts `item`, waiting for room if the queue is full. Throws QueueFullError on timeout / `block: false`. */
  put(item: T, options: PutOptions = {}): void {
    const encoded = this.#encode(item, 'Queue.put');
    const deadline = (options.block ?? true) ? deadlineAfter(options.timeout, 'Queue.put') : 0;
    const outcome = this.#untilSync(L.GET_SEQ, L.PUT_WAITERS, deadline, () => this.#tryPut(encoded));
    this.#checkPut(outcome, 'Queue.put');
  }

  async putAsync(item: T, options: AsyncWaitOptions = {}): Promise<void> {
    const encoded = this.#encode(item, 'Queue.putAsync');
    const deadline = deadlineAfter(options.timeout, 'Queue.putAsync');
    const outcome = await this.#untilAsync(L.GET_SEQ, L.PUT_WAITERS, deadline, options.signal, () =>
      this.#tryPut(encoded),
    );
    this.#checkPut(outcome, 'Queue.putAsync');
  }

  putNowait(item: T): void {
    this.put(item, { block: false });
  }

  #checkPut(outcome: Attempt, where: string): void {
    if (outcome === Attempt.ShutDown) throw new QueueShutDownError(`${where}: the queue is shut down`);
    if (outcome === Attempt.Wait) throw new QueueFullError(`${where}: the queue is full`);
  }

  /** Takes the next item, waiting for one if the queue is empty. Throws QueueEmptyError on timeout. */
  get(options: GetOptions = {}): T {
    const deadline = (options.block ?? true) ? deadlineAfter(options.timeout, 'Queue.get') : 0;
    let taken: TakenItem | undefined;
    const outcome = this.#untilSync(L.PUT_SEQ, L.GET_WAITERS, deadline, () => {
      const result = this.#tryGet();
      taken = result.item;
      return result.attempt;
    });
    return this.#decode(outcome, taken, 'Queue.get');
  }

  async getAsync(options: AsyncWaitOptions = {}): Promise<T> {
    const deadline = deadlineAfter(options.timeout, 'Queue.getAsync');
    let taken: TakenItem | undefined;
    const outcome = await this.#untilAsync(L.PUT_SEQ, L.GET_WAITERS, deadline, options.signal, () => {
      const result = this.#tryGet();
      taken = result.item;
      return result.attempt;
    });
    return this.#decode(outcome, taken, 'Queue.getAsync');
  }

  getNowait(): T {
    return this.get({ block: false });
  }

  #decode(outcome: Attempt, item: TakenItem | undefined, where: string): T {
    if (outcome === Attempt.ShutDown) throw new QueueShutDownError(`${where}: the queue is shut down and empty`);
    if (outcome === Attempt.Wait || item === undefined) throw new QueueEmptyError(`${where}: the queue is empty`);
    return decodeItem(item) as T;
  }

  /**
   * Waits (sync) until `attempt` succeeds with the mutex held. Between attempts it sleeps on `seqIndex`,
   * read under the mutex, so a change made after the failed attempt always cuts the sleep short.
   */
  #untilSync(seqIndex: number, waitersIndex: number, deadline: number, attempt: () => Attempt): Attempt {
    const words = this.#words;
    let blocked = false;
    lockWordSync(words, L.MUTEX, Infinity);
    for (;;) {
      const outcome = attempt();
      if (outcome !== Attempt.Wait) {
        unlockWord(words, L.MUTEX);
        if (blocked && tracing) emit(EventKind.BlockEnd, this.#id);
        return outcome;
      }
      const seq = Atomics.load(words, seqIndex);
      Atomics.add(words, waitersIndex, 1);
      unlockWord(words, L.MUTEX);
      if (!blocked && deadline > performance.now()) {
        blocked = true;
        if (tracing) emit(EventKind.BlockBegin, this.#id, 0, timedFlag(deadline));
      }
      const slept = sleepSync(words, seqIndex, seq, deadline);
      Atomics.sub(words, waitersIndex, 1);
      if (!slept) {
        if (blocked && tracing) emit(EventKind.BlockEnd, this.#id);
        return Attempt.Wait;
      }
      lockWordSync(words, L.MUTEX, Infinity);
    }
  }

  async #untilAsync(
    seqIndex: number,
    waitersIndex: number,
    deadline: number,
    signal: AbortSignal | undefined,
    attempt: () => Attempt,
  ): Promise<Attempt> {
    const words = this.#words;
    let blocked = false;
    await lockWordAsync(words, L.MUTEX, Infinity);
    try {
      for (;;) {
        const outcome = attempt();
        if (outcome !== Attempt.Wait) {
          unlockWord(words, L.MUTEX);
          return outcome;
        }
        const seq = Atomics.load(words, seqIndex);
        Atomics.add(words, waitersIndex, 1);
        unlockWord(words, L.MUTEX);
        if (!blocked && deadline > performance.now()) {
          blocked = true;
          if (tracing) emit(EventKind.BlockBegin, this.#id, 0, timedFlag(deadline));
        }
        let slept: boolean;
        try {
          slept = await sleepAsync(words, seqIndex, seq, deadline, signal);
        } finally {
          Atomics.sub(words, waitersIndex, 1);
        }
        if (!slept) return Attempt.Wait;
        await lockWordAsync(words, L.MUTEX, Infinity);
      }
    } finally {
      if (blocked && tracing) emit(EventKind.BlockEnd, this.#id);
    }
  }

  /** With the mutex held. */
  #tryPut(item: EncodedItem): Attempt {
    const words = this.#words;
    if (words[L.SHUT_DOWN] === 1) return Attempt.ShutDown;
    const maxsize = words[L.MAXSIZE] ?? 0;
    if (maxsize > 0 && (words[L.COUNT] ?? 0) >= maxsize) return Attempt.Wait;
    const itemId = this.#store.put(item);
    if (itemId === undefined) return Attempt.Wait;
    words[L.UNFINISHED] = (words[L.UNFINISHED] ?? 0) + 1;
    if (tracing) emit(this.#putKind, this.#id, itemId);
    Atomics.add(words, L.PUT_SEQ, 1);
    // Wake every sleeper, not one: pollers sleep on PUT_SEQ too and must not swallow a getter's wake-up.
    if (Atomics.load(words, L.GET_WAITERS) > 0) Atomics.notify(words, L.PUT_SEQ);
    return Attempt.Done;
  }

  /** With the mutex held. */
  #tryGet(): { attempt: Attempt; item?: TakenItem } {
    const words = this.#words;
    if ((words[L.COUNT] ?? 0) === 0) return { attempt: words[L.SHUT_DOWN] === 1 ? Attempt.ShutDown : Attempt.Wait };
    const item = this.#store.take();
    if (tracing) emit(this.#getKind, this.#id, item.itemId);
    Atomics.add(words, L.GET_SEQ, 1);
    if (Atomics.load(words, L.PUT_WAITERS) > 0) Atomics.notify(words, L.GET_SEQ);
    return { attempt: Attempt.Done, item };
  }

  /** Marks one item taken with `get` as processed; `join` returns when every item is. */
  taskDone(): void {
    const words = this.#words;
    lockWordSync(words, L.MUTEX, Infinity);
    const unfinished = words[L.UNFINISHED] ?? 0;
    if (unfinished <= 0) {
      unlockWord(words, L.MUTEX);
      throw new TaskDoneError('Queue.taskDone: called more times than there were items');
    }
    words[L.UNFINISHED] = unfinished - 1;
    if (unfinished === 1) {
      Atomics.add(words, L.DONE_SEQ, 1);
      Atomics.notify(words, L.DONE_SEQ);
    }
    unlockWord(words, L.MUTEX);
  }

  /** Blocks until every item put has been marked done; false if `timeout` ms pass first. */
  join(timeout?: number): boolean {
    const deadline = deadlineAfter(timeout, 'Queue.join');
    const words = this.#words;
    for (;;) {
      const seq = Atomics.load(words, L.DONE_SEQ);
      if (Atomics.load(words, L.UNFINISHED) === 0) return true;
      if (!sleepSync(words, L.DONE_SEQ, seq, deadline)) return false;
    }
  }

  async joinAsync(options: AsyncWaitOptions = {}): Promise<boolean> {
    const deadline = deadlineAfter(options.timeout, 'Queue.joinAsync');
    const words = this.#words;
    for (;;) {
      const seq = Atomics.load(words, L.DONE_SEQ);
      if (Atomics.load(words, L.UNFINISHED) === 0) return true;
      if (!(await sleepAsync(words, L.DONE_SEQ, seq, deadline, options.signal))) return false;
    }
  }

  /**
   * Shuts the queue down (Python 3.13's `Queue.shutdown`): further puts throw QueueShutDownError, gets
   * drain what is left and then throw it; every waiter wakes.
   */
  shutdown(): void {
    const words = this.#words;
    lockWordSync(words, L.MUTEX, Infinity);
    Atomics.store(words, L.SHUT_DOWN, 1);
    Atomics.add(words, L.PUT_SEQ, 1);
    Atomics.add(words, L.GET_SEQ, 1);
    unlockWord(words, L.MUTEX);
    Atomics.notify(words, L.PUT_SEQ);
    Atomics.notify(words, L.GET_SEQ);
  }

  get isShutDown(): boolean {
    return Atomics.load(this.#words, L.SHUT_DOWN) === 1;
  }

  /** Waits until an item is available or the queue is shut down; true if an item is there. */
  poll(timeout?: number): boolean {
    const deadline = deadlineAfter(checkTimeout(timeout, 'Queue.poll'), 'Queue.poll');
    return this.#untilSync(L.PUT_SEQ, L.GET_WAITERS, deadline, () => this.#peek()) === Attempt.Done;
  }

  async pollAsync(options: AsyncWaitOptions = {}): Promise<boolean> {
    const deadline = deadlineAfter(options.timeout, 'Queue.pollAsync');
    return (await this.#untilAsync(L.PUT_SEQ, L.GET_WAITERS, deadline, options.signal, () => this.#peek())) === Attempt.Done;
  }

  #peek(): Attempt {
    const words = this.#words;
    if ((words[L.COUNT] ?? 0) > 0) return Attempt.Done;
    return words[L.SHUT_DOWN] === 1 ? Attempt.ShutDown : Attempt.Wait;
  }
}

registerReviver('Queue', (d) => new Queue(d));
