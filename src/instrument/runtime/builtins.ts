/**
 * Built-in methods that access many elements without calling back into the program (`fill`, `set`,
 * `copyWithin`, …), spreads and `Array.from`, and what `for…of` iterates: the elements each touched,
 * recorded after it returns (or, when iterating, as each is read).
 */
import { tracing } from '../../tracer/probe.js';
import type { TypedArrayLike } from '../abi.js';
import { recordAccess, recordRange } from './runs.js';
import { shadowOf, type ViewShadow } from './shadow.js';

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Int8Array.prototype) as Record<string, unknown>;
const typedArrayValues = TYPED_ARRAY_PROTOTYPE['values'];

/**
 * An index argument as the built-in read it (ToIntegerOrInfinity, counted from the end when negative,
 * clamped to [0, length]); `fallback` when it was left out. Anything but a number is not converted again
 * (that could run the program's code a second time): undefined, and the call is not recorded.
 */
function relativeIndex(value: unknown, fallback: number, length: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') return undefined;
  const integer = toInteger(value);
  return integer < 0 ? Math.max(length + integer, 0) : Math.min(integer, length);
}

/** ToIntegerOrInfinity of a number. */
function toInteger(value: number): number {
  return Number.isNaN(value) ? 0 : Math.trunc(value);
}

/**
 * After a typed-array method returned (one that threw recorded nothing): the elements it read and wrote,
 * from its arguments and result. Only the built-in itself: a subclass's own `fill` may touch anything.
 */
export function bulkAccess(view: TypedArrayLike, known: ViewShadow | null | undefined, method: string, result: unknown, site: number, a0: unknown, a1: unknown, a2: unknown): void {
  if (!tracing || (view as unknown as Record<string, unknown>)[method] !== TYPED_ARRAY_PROTOTYPE[method]) return;
  const shadow = known === undefined ? shadowOf(view) : known;
  if (method === 'set') {
    setAccess(shadow, site, a0, a1);
    return;
  }
  if (!shadow) return;
  const length = shadow.length;
  switch (method) {
    case 'fill': {
      const start = relativeIndex(a1, 0, length);
      const end = relativeIndex(a2, length, length);
      if (start !== undefined && end !== undefined) recordRange(shadow, start, end - start, site, true);
      break;
    }
    case 'copyWithin': {
      const target = relativeIndex(a0, 0, length);
      const start = relativeIndex(a1, 0, length);
      const end = relativeIndex(a2, length, length);
      if (target === undefined || start === undefined || end === undefined) break;
      const count = Math.min(end - start, length - target);
      recordRange(shadow, start, count, site, false);
      recordRange(shadow, target, count, site, true);
      break;
    }
    case 'slice': {
      const start = relativeIndex(a0, 0, length);
      const end = relativeIndex(a1, length, length);
      if (start !== undefined && end !== undefined) recordRange(shadow, start, end - start, site, false);
      break;
    }
    case 'join':
    case 'toReversed':
    case 'toSorted':
      recordRange(shadow, 0, length, site, false);
      break;
    case 'with': {
      // Every element but the one replaced.
      if (typeof a0 !== 'number') break;
      const integer = toInteger(a0);
      const index = integer < 0 ? length + integer : integer;
      recordRange(shadow, 0, index, site, false);
      recordRange(shadow, index + 1, length - index - 1, site, false);
      break;
    }
    case 'reverse':
    case 'sort':
      recordRange(shadow, 0, length, site, false);
      recordRange(shadow, 0, length, site, true);
      break;
    case 'at': {
      if (typeof a0 !== 'number' && a0 !== undefined) break;
      const integer = a0 === undefined ? 0 : toInteger(a0);
      const index = integer < 0 ? length + integer : integer;
      if (index >= 0 && index < length) recordRange(shadow, index, 1, site, false);
      break;
    }
    case 'indexOf':
    case 'includes': {
      // Reads stop at the element found: where, indexOf says; includes only says whether.
      const from = relativeIndex(a1, 0, length);
      if (from === undefined || (method === 'includes' && result !== false)) break;
      const end = typeof result === 'number' && result >= 0 ? result + 1 : length;
      recordRange(shadow, from, end - from, site, false);
      break;
    }
    case 'lastIndexOf': {
      if (a1 !== undefined && typeof a1 !== 'number') break;
      const integer = a1 === undefined ? length - 1 : toInteger(a1);
      const from = integer < 0 ? length + integer : Math.min(integer, length - 1);
      const start = typeof result === 'number' && result >= 0 ? result : 0;
      recordRange(shadow, start, from + 1 - start, site, false);
      break;
    }
    default:
      break;
  }
}

/**
 * `target.set(source, offset)`: reads all of the source, writes as many elements of the target from
 * `offset`. Only for a typed-array source, or an array of plain values: converting an object element (or
 * reading an array-like's properties) runs the program's code between the writes, which a range recorded
 * afterwards could put on the wrong side of its synchronisation.
 */
function setAccess(target: ViewShadow | null, site: number, source: unknown, offsetArgument: unknown): void {
  const offset = relativeIndex(offsetArgument, 0, Infinity);
  if (offset === undefined) return;
  if (ArrayBuffer.isView(source) && !(source instanceof DataView)) {
    const sourceShadow = shadowOf(source);
    const count = (source as unknown as ArrayLike<unknown>).length;
    if (sourceShadow) recordRange(sourceShadow, 0, count, site, false);
    if (target) recordRange(target, offset, count, site, true);
  } else if (target && Array.isArray(source) && source.every((item) => item === null || (typeof item !== 'object' && typeof item !== 'function'))) {
    recordRange(target, offset, source.length, site, true);
  }
}

/**
 * `...value` and `Array.from(value)`: iterating a typed array reads every element, with no code of the
 * program in between (unless it replaced the iterator, in which case nothing is recorded). Returns the
 * value, so that the spread goes on as written.
 */
export function spreadAccess(value: unknown, site: number): unknown {
  // A proxy of a typed array is not one to its built-in iterator, which throws on it: only the real thing.
  if (tracing && ArrayBuffer.isView(value) && (value as unknown as Record<PropertyKey, unknown>)[Symbol.iterator] === typedArrayValues) {
    const shadow = shadowOf(value);
    if (shadow) recordRange(shadow, 0, shadow.length, site, false);
  }
  return value;
}

/**
 * What a `for…of` loop or an array pattern iterates: a shared typed array (with its built-in iterator)
 * becomes an iterator that records each element's read when the loop asks for it — between the loop
 * body's own synchronisation, where the read really is; anything else is iterated as it was.
 */
export function iterateAccess(value: unknown, site: number): unknown {
  if (!tracing || !ArrayBuffer.isView(value) || (value as unknown as Record<PropertyKey, unknown>)[Symbol.iterator] !== typedArrayValues) return value;
  const shadow = shadowOf(value);
  return shadow ? readEach(value as unknown as ArrayLike<unknown>, shadow, site) : value;
}

function* readEach(view: ArrayLike<unknown>, shadow: ViewShadow, site: number): Generator<unknown> {
  for (let index = 0; index < view.length; index++) {
    if (tracing) recordAccess(shadow, index, site, false);
    yield view[index];
  }
}
