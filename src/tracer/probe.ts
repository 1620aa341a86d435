/**
 * The instrumentation hook every producer reports through. Ground rules:
 * - When tracing is off, a caller pays one branch on the module-level `tracing` flag and nothing else.
 * - Recording is synchronous, takes numbers, and never uses racecheck's primitives, promises or timers:
 *   the recorder must not observe itself.
 * - In a worker, tracing turns itself on when the thread that started it was traced: the ring travels in
 *   `worker_threads` environment data, which every worker (and its workers) inherits.
 */
import { getEnvironmentData, isMainThread, threadId } from 'node:worker_threads';
import { ENVIRONMENT_DATA } from '../core/run-protocol.js';
import { RingWriter } from './ring.js';
import { DETAIL_SHIFT, EventKind, isSyncKind, objectHi, objectLo, WIDTH_SHIFT } from './schema.js';
import { SiteTable } from './sites.js';

/** Where the ring travels to workers. */
export const RING_ENVIRONMENT_KEY = ENVIRONMENT_DATA.ring;

/**
 * Receives each event: `objectId` names the primitive (stable across threads), `arg` is kind-specific
 * (an item id for queue put/get, a count for semaphores, a byte offset for memory accesses).
 */
export interface EventRecorder {
  record(kind: EventKind, thread: number, objectId: number, arg: number): void;
}

/** Epochs are even numbers (see syncEpoch). */
const EPOCH_STEP = 2;

/** Read by every producer; ESM exports are live bindings, so starting or stopping is seen everywhere. */
export let tracing = false;
/**
 * This thread's synchronisation epoch: it moves on with every synchronisation event the thread records.
 * Two accesses to one location in the same epoch are indistinguishable to the happens-before check, so the
 * instrumentation records only the first (FastTrack's same-epoch filter, applied before the ring). A
 * one-element array rather than a `let`: instrumented code reads it at every shared access, and an
 * imported `let` costs a hole check each time. Always even: the instrumentation marks an element read in
 * this epoch with the epoch and written with the epoch + 1 (one number per element; see runtime.ts).
 */
export const syncEpoch = new Int32Array([EPOCH_STEP]);

function nextEpoch(): void {
  syncEpoch[0]! += EPOCH_STEP;
}
let recorder: EventRecorder | undefined;
let writer: RingWriter | undefined;
let sites: SiteTable | undefined;

const tracingListeners: ((on: boolean) => void)[] = [];

/**
 * Calls `listener` now and whenever tracing starts or stops in this thread. The hottest primitives use it
 * to swap traced methods in and out, so that with tracing off they carry no check at all.
 */
export function onTracingChange(listener: (on: boolean) => void): void {
  tracingListeners.push(listener);
  listener(tracing);
}

function setTracing(on: boolean): void {
  if (tracing === on) return;
  tracing = on;
  for (const listener of tracingListeners) listener(on);
}

/** Sends events to an in-process recorder (tests, tools embedding racecheck). */
export function startTracing(target: EventRecorder): void {
  recorder = target;
  writer = undefined;
  setTracing(true);
}

/** Sends this thread's events into a shared ring drained by a collector. */
export function attachRing(ring: SharedArrayBuffer, threadName?: string): RingWriter {
  writer = new RingWriter(ring);
  sites = new SiteTable(writer);
  recorder = undefined;
  setTracing(true);
  if (threadName !== undefined) nameThread(threadName);
  if (!isMainThread) process.once('exit', detach);
  return writer;
}

function detach(): void {
  settle();
  writer?.detach();
}

export function stopTracing(): void {
  setTracing(false);
  recorder = undefined;
  writer = undefined;
  sites = undefined;
}

/** The ring writer of this thread, when tracing into a ring. */
export function ringWriter(): RingWriter | undefined {
  return writer;
}

/** Gives this thread a name in traces and reports. */
export function nameThread(name: string): void {
  writer?.recordText(EventKind.ThreadName, threadId, name);
}

/**
 * Events go out through one function, `emitAt`, whatever produced them. `emit` is the primitives' form of
 * it: an object id, and the site found on the stack below `entry` (the primitive's public method).
 * Call only behind `if (tracing)`: the check is the caller's so that the off path stays one branch.
 */
export function emit(kind: EventKind, objectId: number, arg = 0, flags = 0, entry?: (...args: never[]) => unknown): void {
  emitAt(kind, objectHi(objectId), objectLo(objectId), arg, flags, 0, sites ? sites.capture(entry) : 0);
}

/** The id of the caller's site in the user's code (0 without a ring), for events recorded later. */
export function callSite(entry?: (...args: never[]) => unknown, depth?: number): number {
  return sites ? sites.capture(entry, depth) : 0;
}

/**
 * The one way an event is written: its kind, object (two words), argument, width and kind-specific detail
 * (which share the kind word), call site, and — for a synchronisation event numbered earlier by
 * `takeSequence` (an operation's release half) — that sequence number. A synchronisation event first
 * writes out what this thread held back and starts a new epoch. Call only behind `if (tracing)`.
 */
export function emitAt(kind: EventKind, objectHi: number, objectLo: number, arg: number, width: number, detail: number, site: number, sequence = -1): void {
  const sync = isSyncKind(kind);
  if (sync) {
    settle();
    nextEpoch();
  } else if (kind === EventKind.AtomicWaitBegin) {
    // The thread may never run again (a wait nothing ends, a program killed there): what it held back goes
    // out now, or a race it took part in would be lost with it.
    settle();
  }
  if (writer) {
    const kindBits = width | (detail << (DETAIL_SHIFT - WIDTH_SHIFT));
    if (sequence >= 0) writer.recordAt(kind, kindBits, objectHi, objectLo, site, arg, sequence);
    else writer.record(kind, kindBits, objectHi, objectLo, site, arg, sync);
  } else {
    recorder?.record(kind, threadId, objectHi * 2 ** 32 + (objectLo >>> 0), arg);
  }
}

let settler: (() => void) | undefined;

/**
 * Registers the one producer that holds events back (the instrumentation coalesces runs of accesses):
 * `settle` writes them out, and runs before every synchronisation event of this thread and before a flush,
 * so that a thread's accesses always precede, in its lane, the synchronisation that follows them.
 */
export function onSettle(write: () => void): void {
  settler = write;
}

export function settle(): void {
  settler?.();
}

/** A sequence number for a synchronisation event written later with `emitAt` (−1 without a ring). */
export function takeSequence(): number {
  return writer ? writer.takeSequence() : -1;
}

/**
 * Defines call sites for this thread in one go (instrumented modules list theirs when they load) and
 * returns the id of the first; the others follow in order.
 */
export function defineSites(encodedSites: readonly string[]): number {
  if (!writer) return 0;
  const first = writer.reserveSiteIds(encodedSites.length);
  for (let i = 0; i < encodedSites.length; i++) writer.recordText(EventKind.SiteDefine, first + i, encodedSites[i]!);
  return first;
}

if (!isMainThread) {
  const ring = getEnvironmentData(RING_ENVIRONMENT_KEY);
  if (ring instanceof SharedArrayBuffer) attachRing(ring);
}
