/**
 * Every shared-memory layout of the primitives, in one place. Each primitive is a view over Int32 words of a
 * SharedArrayBuffer; word 0 holds a type tag so that attaching the wrong primitive to a buffer fails with a
 * clear error instead of corrupting memory, and words 1–2 hold the object's identity (creator thread,
 * serial number), the same in every thread that holds a handle.
 */

import { Header } from '../core/handles.js';

export { Header };

const tagBase = 0x52430000; // "RC" in the high half: an all-zero or random buffer never passes the check.

export const Tag = {
  Lock: tagBase + 1,
  RLock: tagBase + 2,
  Condition: tagBase + 3,
  Event: tagBase + 4,
  Semaphore: tagBase + 5,
  Barrier: tagBase + 6,
  Queue: tagBase + 7,
  Thread: tagBase + 8,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/** A futex mutex word (Drepper, "Futexes Are Tricky", mutex #2): 0 free, 1 locked, 2 locked with waiters. */
export const MutexState = { FREE: 0, LOCKED: 1, CONTENDED: 2 } as const;

/** Waiters a fair Lock tracks at once (a bit each, for timed-out tickets). */
export const FAIR_LOCK_MAX_WAITERS = 1024;

export const LockLayout = {
  STATE: Header.WORDS,
  /** threadId + 1 of the holder, 0 when free: diagnostics and `Condition`'s ownership check. */
  OWNER: Header.WORDS + 1,
  /** 1 for a fair (FIFO) lock, which hands itself to waiters in ticket order. */
  FAIR: Header.WORDS + 2,
  /** Fair locks: the next ticket to hand out. */
  TICKET: Header.WORDS + 3,
  /** Fair locks: the ticket that owns the lock now; equal to TICKET when the lock is free. */
  SERVING: Header.WORDS + 4,
  /** Fair locks: a futex word guarding hand-over against a waiter's timing out. */
  GUARD: Header.WORDS + 5,
  /** Fair locks: one bit per ticket (mod FAIR_LOCK_MAX_WAITERS), set when its waiter gave up. */
  CANCELLED: Header.WORDS + 6,
  WORDS: Header.WORDS + 6 + FAIR_LOCK_MAX_WAITERS / 32,
} as const;

export const RLockLayout = {
  STATE: Header.WORDS,
  OWNER: Header.WORDS + 1,
  COUNT: Header.WORDS + 2,
  WORDS: Header.WORDS + 3,
} as const;

/** How many waiters a Condition can track at once (a bit each, for cancelled timed waits). */
export const CONDITION_MAX_WAITERS = 1024;

export const ConditionLayout = {
  /** Ticket handed to the next waiter. */
  WAIT_SEQ: Header.WORDS,
  /** Every ticket below this has been notified; waiters sleep on this word. */
  WAKE_SEQ: Header.WORDS + 1,
  /** One bit per ticket (mod CONDITION_MAX_WAITERS): set when a waiter timed out before being notified. */
  CANCELLED: Header.WORDS + 2,
  WORDS: Header.WORDS + 2 + CONDITION_MAX_WAITERS / 32,
} as const;

export const EventLayout = {
  FLAG: Header.WORDS,
  WORDS: Header.WORDS + 1,
} as const;

export const SemaphoreLayout = {
  VALUE: Header.WORDS,
  WAITERS: Header.WORDS + 1,
  /** BoundedSemaphore's ceiling; -1 for an unbounded Semaphore. */
  BOUND: Header.WORDS + 2,
  WORDS: Header.WORDS + 3,
} as const;

/** Generations remembered for "was this phase broken?": a waiter reads its phase's bit after waking. */
export const BARRIER_OUTCOME_BITS = 32;

export const BarrierLayout = {
  MUTEX: Header.WORDS,
  PARTIES: Header.WORDS + 1,
  COUNT: Header.WORDS + 2,
  GENERATION: Header.WORDS + 3,
  BROKEN: Header.WORDS + 4,
  /** Bit g % 32 set: generation g ended broken rather than released. */
  OUTCOMES: Header.WORDS + 5,
  WORDS: Header.WORDS + 6,
} as const;

export const ThreadState = {
  CREATED: 0,
  STARTED: 1,
  RUNNING: 2,
  FINISHED: 3,
  FAILED: 4,
} as const;

export const ThreadLayout = {
  STATE: Header.WORDS,
  /** The worker's `threadId` once it runs. */
  IDENT: Header.WORDS + 1,
  /** Byte length of the serialized error in the payload buffer. */
  ERROR_LENGTH: Header.WORDS + 2,
  WORDS: Header.WORDS + 3,
} as const;

export const QueueOrderCode = { fifo: 0, lifo: 1, priority: 2 } as const;

export const QueueLayout = {
  MUTEX: Header.WORDS,
  ORDER: Header.WORDS + 1,
  MAXSIZE: Header.WORDS + 2,
  /** Items in the queue. */
  COUNT: Header.WORDS + 3,
  /** Index of the first live entry (FIFO consumes from the front). */
  HEAD: Header.WORDS + 4,
  /** Next free byte of the data arena. */
  ARENA_TOP: Header.WORDS + 5,
  /** Items put and not yet marked done. */
  UNFINISHED: Header.WORDS + 6,
  /** Bumped on every put; getters sleep on it. */
  PUT_SEQ: Header.WORDS + 7,
  /** Bumped on every get; putters of a full queue sleep on it. */
  GET_SEQ: Header.WORDS + 8,
  /** Bumped when UNFINISHED reaches zero; `join()` sleeps on it. */
  DONE_SEQ: Header.WORDS + 9,
  GET_WAITERS: Header.WORDS + 10,
  PUT_WAITERS: Header.WORDS + 11,
  /** Serial number given to the next item (ties in priority order, item identity for tracing). */
  NEXT_ITEM: Header.WORDS + 12,
  /** Set by `shutdown()`: puts fail, and gets fail once the queue is empty. */
  SHUT_DOWN: Header.WORDS + 13,
  WORDS: Header.WORDS + 14,
} as const;

/** Each queue entry is five float64 slots in the entry table: where its bytes are and how it sorts. */
export const QueueEntry = {
  /** Byte offset in the arena; for a NUMBER item, the number itself. */
  OFFSET: 0,
  LENGTH: 1,
  PRIORITY: 2,
  ITEM_ID: 3,
  /** How the item is encoded (QueueItemEncoding). */
  ENCODING: 4,
  SLOTS: 5,
} as const;

/**
 * Small items skip `node:v8` serialization, which costs more than the whole hand-off: numbers travel in
 * the entry itself, strings as UTF-8, and the constants as nothing at all.
 */
export const QueueItemEncoding = {
  V8: 0,
  NUMBER: 1,
  STRING: 2,
  TRUE: 3,
  FALSE: 4,
  NULL: 5,
  UNDEFINED: 6,
} as const;

export const ALL_TAGS: readonly number[] = Object.values(Tag);
