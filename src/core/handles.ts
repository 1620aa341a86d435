/**
 * How racecheck objects cross threads. A primitive's only own enumerable property is its descriptor,
 * `{ __racecheck__: { type, buffer, byteOffset, … } }`, so the structured clone that `postMessage`,
 * `workerData` and Thread arguments make of it is exactly the descriptor. Objects that cannot be cloned at
 * all (a tracked array is a Proxy) register a descriptor that `toCloneable` puts in their place. `revive`
 * turns descriptors back into working handles over the same shared memory.
 */
import { threadId } from 'node:worker_threads';
import { InvalidHandleError } from './errors.js';

/** Words every primitive starts with (see primitives/layout.ts for the rest of each layout). */
export const Header = {
  TAG: 0,
  CREATOR_THREAD: 1,
  SERIAL: 2,
  WORDS: 3,
} as const;

export const HANDLE_KEY = '__racecheck__';

export interface SharedDescriptor {
  type: string;
  /** The primitive's words; absent for composites made only of other primitives (a Pipe connection). */
  buffer?: SharedArrayBuffer;
  byteOffset?: number;
  [extra: string]: unknown;
}

export interface Shareable {
  readonly [HANDLE_KEY]: SharedDescriptor;
}

let nextSerial = 0;

/** A new identity, unique in the process: (this thread, a serial number). */
export function newIdentity(): [creatorThread: number, serial: number] {
  return [threadId, ++nextSerial];
}

/** Allocates the words of a new primitive and writes its header. */
export function allocate(tag: number, words: number): Int32Array {
  const view = new Int32Array(new SharedArrayBuffer(words * 4));
  view[Header.TAG] = tag;
  [view[Header.CREATOR_THREAD], view[Header.SERIAL]] = newIdentity();
  return view;
}

/** Attaches to existing words, refusing a buffer that does not hold a primitive of this type. */
export function attach(descriptor: unknown, tag: number, words: number, typeName: string): Int32Array {
  const d = descriptor as Partial<SharedDescriptor> | undefined;
  if (!d || !(d.buffer instanceof SharedArrayBuffer)) {
    throw new InvalidHandleError(`${typeName}: invalid handle: expected a SharedArrayBuffer-backed descriptor`);
  }
  const byteOffset = d.byteOffset ?? 0;
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset + words * 4 > d.buffer.byteLength) {
    throw new InvalidHandleError(`${typeName}: invalid handle: byteOffset ${byteOffset} is out of range`);
  }
  if (byteOffset % 4 !== 0) {
    throw new InvalidHandleError(`${typeName}: invalid handle: byteOffset ${byteOffset} is not 4-byte aligned`);
  }
  const view = new Int32Array(d.buffer, byteOffset, words);
  if (view[Header.TAG] !== tag) {
    throw new InvalidHandleError(`${typeName}: invalid handle: the buffer does not hold a ${typeName}`);
  }
  return view;
}

/** The primitive's identity, the same number in every thread: creator thread and serial. */
export function objectIdOf(view: Int32Array): number {
  return (view[Header.CREATOR_THREAD] ?? 0) * 2 ** 32 + (view[Header.SERIAL] ?? 0);
}

export function describe(type: string, view: Int32Array, extra?: Record<string, unknown>): SharedDescriptor {
  return { type, buffer: view.buffer as SharedArrayBuffer, byteOffset: view.byteOffset, ...extra };
}

/** Defines the descriptor as the instance's one own enumerable property. */
export function exposeDescriptor(target: object, descriptor: SharedDescriptor): void {
  Object.defineProperty(target, HANDLE_KEY, { value: descriptor, enumerable: true });
}

type Reviver = (descriptor: SharedDescriptor) => object;
const revivers = new Map<string, Reviver>();

export function registerReviver(type: string, reviver: Reviver): void {
  revivers.set(type, reviver);
}

function descriptorOf(value: object): SharedDescriptor | undefined {
  const d = (value as Record<string, unknown>)[HANDLE_KEY];
  if (d && typeof d === 'object' && typeof (d as SharedDescriptor).type === 'string') return d as SharedDescriptor;
  return undefined;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces every cloned primitive descriptor inside `value` with a working handle. Arrays and plain
 * objects are updated in place (so `workerData` keeps its identity); the possibly new root is returned.
 */
export function revive<T>(value: T): T {
  return reviveInner(value, new Set()) as T;
}

function reviveInner(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  if (!isPlainContainer(value)) return value;
  const d = descriptorOf(value);
  if (d) {
    // A type whose module this thread has not loaded yet stays a descriptor; a later revive may know it.
    const reviver = revivers.get(d.type);
    return reviver ? reviver(d) : value;
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveInner(value[i], seen);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveInner(record[key], seen);
  }
  return value;
}

/** Objects that stand for a descriptor but cannot be cloned themselves (Proxies). */
const standIns = new WeakMap<object, SharedDescriptor>();

/** How many stand-ins this thread made: while none, `toCloneable` (on every message) has nothing to do. */
let standInCount = 0;

export function registerStandIn(object: object, descriptor: SharedDescriptor): void {
  standIns.set(object, descriptor);
  standInCount++;
}

/**
 * A copy of `value` that structured clone accepts: stand-ins inside arrays and plain objects are replaced
 * by their descriptors. Returns `value` itself when there is nothing to replace.
 */
export function toCloneable<T>(value: T): T {
  if (standInCount === 0) return value;
  return cloneableInner(value, new Map()) as T;
}

function cloneableInner(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const descriptor = standIns.get(value);
  if (descriptor) return { [HANDLE_KEY]: descriptor };
  if (!isPlainContainer(value) || descriptorOf(value)) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(cloneableInner(item, seen));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[key] = cloneableInner(item, seen);
  return copy;
}
