/**
 * The instrumentation hook the primitives report through. Ground rules:
 * - When tracing is off, a primitive pays one branch on the module-level `tracing` flag and nothing else.
 * - The probe never uses racecheck's primitives (the recorder must not observe itself).
 * - Arguments are numbers only, so the recording side can write them straight into a binary record.
 *
 * The recorder behind the probe is installed by whoever turns tracing on (the tracer's ring-buffer writer,
 * or a test's in-memory recorder).
 */
import { threadId } from 'node:worker_threads';
import type { EventKind } from './schema.js';

/**
 * Receives each event: `objectId` names the primitive (stable across threads), `arg` is kind-specific
 * (an item id for queue put/get, a count for semaphores, an index for barriers, 0 otherwise).
 */
export interface EventRecorder {
  record(kind: EventKind, thread: number, objectId: number, arg: number): void;
}

/** Read by every primitive operation; ESM exports are live bindings, so `startTracing` is seen everywhere. */
export let tracing = false;
let recorder: EventRecorder | undefined;

export function startTracing(target: EventRecorder): void {
  recorder = target;
  tracing = true;
}

export function stopTracing(): void {
  tracing = false;
  recorder = undefined;
}

/** Call only behind `if (tracing)`: the check is the caller's so that the off path stays one branch. */
export function emit(kind: EventKind, objectId: number, arg = 0): void {
  recorder?.record(kind, threadId, objectId, arg);
}
