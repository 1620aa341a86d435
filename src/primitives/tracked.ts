/**
 * Tracked shared memory, for programs written against racecheck: `track(array)` returns a view of a
 * SharedArrayBuffer-backed typed array whose element reads and writes are recorded as memory events
 * (buffer identity, byte offset, width). While tracing is off it returns the array itself, so untraced
 * runs pay nothing. Automatic instrumentation of unmodified programs is a separate layer.
 *
 * A buffer's identity is made where it is first tracked and travels with the tracked array when it is
 * passed to another thread (Thread args, postMessage), so two threads' views of one buffer — even with
 * different offsets or element types — name the same bytes.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { newIdentity, registerReviver, registerStandIn, type SharedDescriptor } from '../core/handles.js';
import { callSite, emitAt, tracing } from '../tracer/probe.js';
import { EventKind } from '../tracer/schema.js';

export type SharedTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const constructors = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type ConstructorName = keyof typeof constructors;

/** Buffer identities known in this thread. */
const bufferIds = new WeakMap<SharedArrayBuffer, [number, number]>();
/** Tracked view → the array it wraps. */
const targets = new WeakMap<object, SharedTypedArray>();

function identityOf(buffer: SharedArrayBuffer): [number, number] {
  let id = bufferIds.get(buffer);
  if (!id) {
    id = newIdentity();
    bufferIds.set(buffer, id);
  }
  return id;
}

/** The canonical index for a property key, or −1 when the key is not an array index. */
function indexOf(key: string | symbol): number {
  if (typeof key !== 'string') return -1;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return -1;
  const index = Number(key);
  return Number.isInteger(index) && String(index) === key ? index : -1;
}

function makeTracked<T extends SharedTypedArray>(array: T, idHi: number, idLo: number): T {
  const width = array.BYTES_PER_ELEMENT;
  const base = array.byteOffset;
  const bound = new Map<unknown, unknown>();
  const handler: ProxyHandler<T> = {
    get(target, key) {
      const index = indexOf(key);
      if (index >= 0) {
        if (tracing && index < target.length) emitAt(EventKind.MemoryRead, idHi, idLo, base + index * width, width, 0, callSite(handler.get));
        return target[index];
      }
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      let method = bound.get(value);
      if (!method) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(value, method);
      }
      return method;
    },
    set(target, key, value) {
      const index = indexOf(key);
      if (index >= 0) {
        if (tracing && index < target.length) emitAt(EventKind.MemoryWrite, idHi, idLo, base + index * width, width, 0, callSite(handler.set));
        (target as unknown as Record<number, unknown>)[index] = value;
        return true;
      }
      return Reflect.set(target, key, value, target);
    },
  };
  const view = new Proxy(array, handler);
  targets.set(view, array);
  const descriptor: SharedDescriptor = {
    type: 'TrackedArray',
    buffer: array.buffer as SharedArrayBuffer,
    byteOffset: array.byteOffset,
    length: array.length,
    elementType: array.constructor.name,
    idHi,
    idLo,
  };
  registerStandIn(view, descriptor);
  return view;
}

/**
 * A view of `array` whose element accesses become memory events while tracing is on. `array` must be a
 * typed array over a SharedArrayBuffer. Use `untracked(view)` for Atomics operations.
 */
export function track<T extends SharedTypedArray>(array: T): T {
  if (targets.has(array)) return array;
  if (!ArrayBuffer.isView(array) || !(array.constructor.name in constructors)) {
    throw new InvalidArgumentError('track: expected a typed array (Int32Array, Float64Array, …)');
  }
  if (!(array.buffer instanceof SharedArrayBuffer)) {
    throw new InvalidArgumentError('track: the typed array must be backed by a SharedArrayBuffer');
  }
  const [hi, lo] = identityOf(array.buffer);
  return tracing ? makeTracked(array, hi, lo) : array;
}

/** The plain typed array behind a tracked view (for Atomics, which refuses Proxies). */
export function untracked<T extends SharedTypedArray>(array: T): T {
  return (targets.get(array) as T | undefined) ?? array;
}

/** The identity memory events use for `buffer` in this thread. */
export function bufferIdentity(buffer: SharedArrayBuffer): [number, number] {
  return identityOf(buffer);
}

registerReviver('TrackedArray', (d) => {
  const buffer = d.buffer as SharedArrayBuffer;
  const known = bufferIds.get(buffer);
  const id: [number, number] = known ?? [Number(d['idHi']), Number(d['idLo'])];
  if (!known) bufferIds.set(buffer, id);
  const make = constructors[d['elementType'] as ConstructorName] as
    | (new (buffer: ArrayBufferLike, byteOffset: number, length: number) => SharedTypedArray)
    | undefined;
  if (!make) throw new InvalidArgumentError(`track: unknown element type ${String(d['elementType'])}`);
  const array = new make(buffer, d.byteOffset ?? 0, Number(d['length']));
  return tracing ? makeTracked(array, id[0], id[1]) : array;
});
