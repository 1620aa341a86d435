/**
 * The event schema: the one place that names every kind of event racecheck records and knows the binary
 * record and trace-file layouts. Producers (the primitives' probe, tracked memory, the async tracer), the
 * ring buffer, trace files and the analyzer all import it; nothing else may invent a kind or an offset.
 *
 * Codes are part of the trace file format: append new kinds, never renumber.
 */
export const EventKind = {
  ThreadSpawn: 1,
  ThreadStart: 2,
  ThreadExit: 3,
  ThreadJoin: 4,

  LockAttempt: 10,
  LockAcquired: 11,
  LockTryFailed: 12,
  LockRelease: 13,

  ConditionWaitBegin: 20,
  ConditionWaitEnd: 21,
  ConditionNotify: 22,

  EventSet: 30,
  EventClear: 31,
  EventWaitBegin: 32,
  EventWaitEnd: 33,

  SemaphoreAcquire: 40,
  SemaphoreRelease: 41,

  BarrierArrive: 50,
  BarrierLeave: 51,

  QueuePut: 60,
  QueueGet: 61,

  PipeSend: 70,
  PipeRecv: 71,
  /** postMessage on a MessagePort, Worker or parentPort: `object` is the message's id (unique in the run). */
  MessageSend: 72,
  /** The message with that id reached a listener (or `receiveMessageOnPort`) on this thread. */
  MessageReceive: 73,

  MemoryRead: 80,
  MemoryWrite: 81,

  AtomicLoad: 90,
  AtomicStore: 91,
  AtomicReadModifyWrite: 92,
  AtomicWait: 93,
  AtomicNotify: 94,
  /**
   * The thread is about to sleep in `Atomics.wait` on (buffer, byte offset `arg`); detail bit Timed marks a
   * wait with a timeout. Not a synchronisation event: the AtomicWait after it is, when the wait was woken.
   */
  AtomicWaitBegin: 95,

  /** A thread starts writing into a lane; `arg` is its threadId. */
  LaneAttach: 100,
  /** The thread is done with the lane (it exited). */
  LaneDetach: 101,
  /** Defines a call site: `objectLo` is its id, `arg` the UTF-8 byte length of the text in the next slots. */
  SiteDefine: 102,
  /** Names the lane's current thread: `arg` is the UTF-8 byte length of the name in the next slots. */
  ThreadName: 103,

  /**
   * An async resource was created in the running segment: `objectLo` its asyncId, `arg` its trigger (for a
   * promise reaction, the promise it waits on); width 1 for a promise.
   */
  AsyncInit: 110,
  /**
   * A callback of resource `objectLo` starts running for task `arg`. Width 1: the continuation of an await,
   * waiting on promise `objectHi` (its own promise has no AsyncInit: it was made where the task last ran).
   */
  AsyncBefore: 111,
  /** Not recorded since async tasks became threads of the model (a run lasts until the next begins); the code stays reserved. */
  AsyncAfter: 112,
  /** A promise settled; continuations waiting on it run after. */
  PromiseResolve: 113,
  /**
   * An async function was called: `objectLo` is the new task, `arg` the task that called it (0: the thread's
   * own code), the site the function. AsyncBefore's `arg` is the task a callback runs for.
   */
  AsyncTaskEnter: 114,
  /** Instrumented code wrote state async tasks share: object (0 for a variable) and key, `arg` the task. */
  StateWrite: 115,
  /**
   * The StateWrite that follows writes a value computed from this read of the same state (the site), made
   * before an await (`arg`: its site) in an earlier segment of the same task: a stale read.
   */
  StaleRead: 116,
  /** A task asks for an async lock (`async-mutex`): object the lock, `arg` the task. */
  AsyncLockRequest: 117,
  /** The lock was granted to task `arg` (the request's site). */
  AsyncLockGranted: 118,
  /** Task `arg` released the lock. */
  AsyncLockRelease: 119,

  /** A primitive was made: `arg` is its type (ObjectType); the site names it in reports. */
  ObjectCreate: 120,
  /**
   * The thread is about to sleep in a blocking operation on the object (slow path only). For this and the
   * other wait-begin kinds, width 1 marks a wait with a timeout: it cannot be part of a deadlock.
   */
  BlockBegin: 121,
  BlockEnd: 122,
  /** User annotation: everything before it happens before whatever follows a matching AnnotateAfter. */
  AnnotateBefore: 123,
  AnnotateAfter: 124,
  /** The event loop ran out of work while task `arg` still waited at this await (the site): it never resumes. */
  AsyncPending: 125,
  /** The thread's event loop ran out of work (`beforeExit`): what still waits now waits forever. */
  AsyncDrained: 126,
  /**
   * Promise `objectLo` settles only once promise `arg` has (Promise.all, Promise.allSettled): the ordering
   * goes through the combinator's own bookkeeping, which no promise reaction shows.
   */
  AsyncJoin: 127,
} as const;

/** The width byte of a wait-begin event: whether the wait has a timeout. */
export function timedFlag(deadline: number): number {
  return deadline === Infinity ? 0 : 1;
}

/**
 * Bits above the width in the kind word of Atomics events (TraceEvent.detail): what the operation did to
 * the location's value. A change from zero to non-zero by a read-modify-write, undone later by the same
 * thread, is how a hand-written lock shows itself.
 */
export const AtomicDetail = {
  /** The value before the operation was zero. */
  OldZero: 1,
  /** The value after the operation is zero. */
  NewZero: 2,
  /** AtomicWait / AtomicWaitBegin: the wait has a timeout. */
  Timed: 4,
  /** AtomicWait: the value the thread waits to change was non-zero (it waits for a holder to let go). */
  WaitsOnNonZero: 8,
} as const;

/** How a lock acquisition may wait (the ARG of its lock events): only blocking ones can deadlock. */
export const AcquireMode = { Blocking: 0, Try: 1, Timed: 2 } as const;

/** What an ObjectCreate made. */
export const ObjectType = {
  Lock: 1,
  RLock: 2,
  Condition: 3,
  Event: 4,
  Semaphore: 5,
  BoundedSemaphore: 6,
  Barrier: 7,
  Queue: 8,
  Pipe: 9,
  Thread: 10,
  CustomLock: 11,
  /** async-mutex's Mutex (or a Semaphore of one permit). */
  AsyncMutex: 12,
  /** async-mutex's Semaphore of several permits. */
  AsyncSemaphore: 13,
} as const;
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

const objectTypeNames = new Map<number, string>(Object.entries(ObjectType).map(([name, code]) => [code, name]));

export function objectTypeName(code: number): string {
  return objectTypeNames.get(code) ?? 'object';
}

export type EventKind = (typeof EventKind)[keyof typeof EventKind];

const kindNames = new Map<number, string>(Object.entries(EventKind).map(([name, code]) => [code, name]));

/** The name of an event kind, or undefined for a code this version does not know. */
export function eventKindName(code: number): string | undefined {
  return kindNames.get(code);
}

/**
 * Which kinds are synchronisation: they take a global sequence number (the reader merges threads by it),
 * and a thread's held-back accesses are written before them. Memory accesses, metadata, async-task and
 * blocking events are ordered by their own thread alone. Every kind is listed, so a new one must say which
 * it is (a test checks the table covers them all).
 */
export const SYNCHRONISATION: Readonly<Record<keyof typeof EventKind, boolean>> = {
  ThreadSpawn: true,
  ThreadStart: true,
  ThreadExit: true,
  ThreadJoin: true,
  LockAttempt: true,
  LockAcquired: true,
  LockTryFailed: true,
  LockRelease: true,
  ConditionWaitBegin: true,
  ConditionWaitEnd: true,
  ConditionNotify: true,
  EventSet: true,
  EventClear: true,
  EventWaitBegin: true,
  EventWaitEnd: true,
  SemaphoreAcquire: true,
  SemaphoreRelease: true,
  BarrierArrive: true,
  BarrierLeave: true,
  QueuePut: true,
  QueueGet: true,
  PipeSend: true,
  PipeRecv: true,
  MessageSend: true,
  MessageReceive: true,
  MemoryRead: false,
  MemoryWrite: false,
  AtomicLoad: true,
  AtomicStore: true,
  AtomicReadModifyWrite: true,
  AtomicWait: true,
  AtomicNotify: true,
  AtomicWaitBegin: false,
  LaneAttach: false,
  LaneDetach: false,
  SiteDefine: false,
  ThreadName: false,
  AsyncInit: false,
  AsyncBefore: false,
  AsyncAfter: false,
  PromiseResolve: false,
  AsyncTaskEnter: false,
  StateWrite: false,
  StaleRead: false,
  AsyncLockRequest: false,
  AsyncLockGranted: false,
  AsyncLockRelease: false,
  ObjectCreate: false,
  BlockBegin: false,
  BlockEnd: false,
  AnnotateBefore: true,
  AnnotateAfter: true,
  AsyncPending: false,
  AsyncDrained: false,
  AsyncJoin: false,
};

/** Kinds whose record is followed by raw slots holding `arg` bytes of UTF-8 text. */
export function carriesText(kind: number): boolean {
  return kind === EventKind.SiteDefine || kind === EventKind.ThreadName;
}

/**
 * One record: eight Int32 words (32 bytes), the same in the ring and in trace files.
 * - KIND_WORD: kind in bits 0–7, access width in bytes in bits 8–15, kind-specific detail in bits 16–31
 *   (AtomicDetail for Atomics events).
 * - SEQ: for synchronisation events, a global sequence number (uint32, wrapping) taken at the moment that
 *   makes sequence order agree with real time: before a release is published, after an acquire succeeds.
 * - OBJECT_HI/OBJECT_LO: the object (creator thread and serial of a primitive, id of a tracked buffer).
 * - SITE: the call site id (0: unknown).
 * - ARG: kind-specific (item id for queues and pipes, a count, a byte offset for memory accesses).
 * - TIME (float64 over words 6–7): ms since the Unix epoch, for synchronisation events (0 otherwise).
 */
export const Record = {
  KIND_WORD: 0,
  SEQ: 1,
  OBJECT_HI: 2,
  OBJECT_LO: 3,
  SITE: 4,
  ARG: 5,
  /** Index in a Float64Array view, relative to the record's first float64 slot. */
  TIME_F64: 3,
  WORDS: 8,
  BYTES: 32,
} as const;

export const WIDTH_SHIFT = 8;
export const DETAIL_SHIFT = 16;
/** The largest `detail` a record holds (the bits above DETAIL_SHIFT): the longest run of accesses. */
export const MAX_DETAIL = 0xffff;
export const KIND_MASK = 0xff;

/** SYNCHRONISATION by kind number, for the hot path: one load. */
const SYNC_BY_KIND = new Uint8Array(KIND_MASK + 1);
for (const [name, sync] of Object.entries(SYNCHRONISATION)) if (sync) SYNC_BY_KIND[EventKind[name as keyof typeof EventKind]] = 1;

export function isSyncKind(kind: number): boolean {
  return SYNC_BY_KIND[kind & KIND_MASK] === 1;
}

/** The Atomics kinds: events on a location of shared memory made by an Atomics call. */
const ATOMICS_BY_KIND = new Uint8Array(KIND_MASK + 1);
for (const kind of [EventKind.AtomicLoad, EventKind.AtomicStore, EventKind.AtomicReadModifyWrite, EventKind.AtomicWait, EventKind.AtomicNotify, EventKind.AtomicWaitBegin]) ATOMICS_BY_KIND[kind] = 1;

export function isAtomicsKind(kind: number): boolean {
  return ATOMICS_BY_KIND[kind & KIND_MASK] === 1;
}

/** One record's fields (text slots after a text-carrying record aside). */
export interface RecordFields {
  kind: number;
  width: number;
  detail: number;
  /** The sequence number as written (uint32 wrapping, as a signed word). */
  seq: number;
  objectHi: number;
  objectLo: number;
  site: number;
  arg: number;
  time: number;
}

/**
 * The one reader of the record layout: record `index` of `words` (and `floats`, the same memory as float64)
 * into `into`, which is returned (callers reuse one object in their loops).
 */
export function decodeRecord(words: Int32Array, floats: Float64Array, index: number, into: RecordFields): RecordFields {
  const at = index * Record.WORDS;
  const kindWord = words[at + Record.KIND_WORD]!;
  into.kind = kindWord & KIND_MASK;
  into.width = (kindWord >>> WIDTH_SHIFT) & 0xff;
  into.detail = kindWord >>> DETAIL_SHIFT;
  into.seq = words[at + Record.SEQ]!;
  into.objectHi = words[at + Record.OBJECT_HI]!;
  into.objectLo = words[at + Record.OBJECT_LO]!;
  into.site = words[at + Record.SITE]!;
  into.arg = words[at + Record.ARG]!;
  into.time = floats[(at >> 1) + Record.TIME_F64]!;
  return into;
}

export function emptyRecord(): RecordFields {
  return { kind: 0, width: 0, detail: 0, seq: 0, objectHi: 0, objectLo: 0, site: 0, arg: 0, time: 0 };
}

/** Records needed after a text-carrying record for `byteLength` bytes of text. */
export function textSlots(byteLength: number): number {
  return Math.ceil(byteLength / Record.BYTES);
}

/** Trace files: an 16-byte header, then chunks of [type u32][payload length u32][payload]. */
export const TraceFormat = {
  MAGIC: 'RCTRACE\0',
  VERSION: 1,
  HEADER_BYTES: 16,
  CHUNK_HEADER_BYTES: 8,
} as const;

export const ChunkType = {
  /** JSON: program, arguments, pid, start time. */
  Meta: 1,
  /** u32 lane index, then whole records drained from that lane, in lane order. */
  LaneRecords: 2,
  /** JSON: per-lane record counts the collector drained and the producers' final cursors. */
  End: 3,
  /** JSON: findings made while the program ran (the deadlock watchdog's). */
  Findings: 4,
} as const;

/** A call site in the user's original source (after source maps). */
export interface Site {
  file: string;
  line: number;
  column: number;
  functionName: string;
}

export function encodeSite(site: Site): string {
  return `${site.file}\n${site.line}\n${site.column}\n${site.functionName}`;
}

export function decodeSite(text: string): Site {
  const [file = '', line = '0', column = '0', functionName = ''] = text.split('\n');
  return { file, line: Number(line), column: Number(column), functionName };
}

/** Splits an object id (creator thread × 2^32 + serial) into the two record words, and back. */
export function objectHi(objectId: number): number {
  return Math.floor(objectId / 2 ** 32) | 0;
}

export function objectLo(objectId: number): number {
  return objectId >>> 0 | 0;
}

export function joinObjectId(hi: number, lo: number): number {
  return (hi >>> 0) * 2 ** 32 + (lo >>> 0);
}

/** One decoded event of a trace. */
export interface TraceEvent {
  kind: EventKind;
  /** threadId of the thread that recorded it. */
  thread: number;
  /** Global order of synchronisation events (−1 for others). */
  seq: number;
  objectHi: number;
  objectLo: number;
  site: number;
  arg: number;
  /** Access width in bytes (memory events). */
  width: number;
  /** Kind-specific bits (AtomicDetail for Atomics events). */
  detail: number;
  /** ms since the Unix epoch (synchronisation events; 0 for others). */
  time: number;
  /** Byte offset of the record in the trace file. */
  offset: number;
}

