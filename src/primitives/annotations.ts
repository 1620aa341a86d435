/**
 * Annotations for synchronisation racecheck cannot see — ThreadSanitizer users' first source of false
 * alarms. `happensBefore(key)` in one thread and `happensAfter(key)` in another order everything before the
 * first with everything after the second; a `CustomLock` tells racecheck when a lock of your own making is
 * taken and given back, so that its critical sections are understood like a Lock's. All of it is free when
 * tracing is off.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { emit, tracing } from '../tracer/probe.js';
import { EventKind, ObjectType } from '../tracer/schema.js';

/** Annotation keys and custom locks live in their own id space, apart from primitives and buffers. */
const ANNOTATION_SPACE = 0x7ffffffe;

function keyId(key: unknown, where: string): number {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError(`${where}: the key must be a non-empty string, got ${String(key)}`);
  }
  // FNV-1a: the same key gives the same id in every thread.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ANNOTATION_SPACE * 2 ** 32 + (hash >>> 0);
}

/** Everything this thread did so far happens before what follows `happensAfter(key)` in any thread. */
export function happensBefore(key: string): void {
  const id = keyId(key, 'happensBefore');
  if (tracing) emit(EventKind.AnnotateBefore, id);
}

/** What this thread does next happens after everything before any `happensBefore(key)` so far. */
export function happensAfter(key: string): void {
  const id = keyId(key, 'happensAfter');
  if (tracing) emit(EventKind.AnnotateAfter, id);
}

/**
 * A lock racecheck does not know (a hand-written spin lock, a lock in a native addon): call `acquired()`
 * right after taking it and `released()` right before giving it back. Handles made with the same name in
 * different threads are the same lock.
 */
export class CustomLock {
  readonly name: string;
  readonly #id: number;

  constructor(name: string) {
    this.#id = keyId(`lock:${name}`, 'CustomLock');
    this.name = name;
    if (tracing) emit(EventKind.ObjectCreate, this.#id, ObjectType.CustomLock);
  }

  acquired(): void {
    if (tracing) emit(EventKind.LockAcquired, this.#id, 0);
  }

  released(): void {
    if (tracing) emit(EventKind.LockRelease, this.#id);
  }
}
