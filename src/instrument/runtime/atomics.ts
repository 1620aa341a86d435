/**
 * Atomics calls as synchronisation events. Sequence numbers agree with real time: the release half of an
 * operation is numbered before the operation becomes visible, the acquire half after it returns — so a
 * read-modify-write records two events around the operation.
 */
import { emitAt, takeSequence, tracing } from '../../tracer/probe.js';
import { AtomicDetail, EventKind } from '../../tracer/schema.js';
import type { AtomicsEntries, TypedArrayLike } from '../abi.js';
import { shadowOf, type ViewShadow } from './shadow.js';

/** One scratch element per typed-array type: what a value becomes when stored there (wrapping, truncation). */
const scratch = new Map<unknown, TypedArrayLike>();

function coerced(view: TypedArrayLike, value: unknown): number | bigint {
  const ctor = view.constructor as new (length: number) => TypedArrayLike;
  let cell = scratch.get(ctor);
  if (!cell) {
    cell = new ctor(1);
    scratch.set(ctor, cell);
  }
  (cell as unknown as unknown[])[0] = value;
  return (cell as unknown as (number | bigint)[])[0]!;
}

function isZero(value: number | bigint): boolean {
  return value === 0 || value === 0n;
}

interface Location {
  shadow: ViewShadow;
  offset: number;
}

function locationOf(view: TypedArrayLike, index: number): Location | undefined {
  const shadow = shadowOf(view);
  if (!shadow) return undefined;
  return { shadow, offset: view.byteOffset + Number(index) * shadow.width };
}

/** An Atomics event on its location (release or acquire, by kind). */
function recordAtomic(kind: EventKind, at: Location, detail: number, site: number): void {
  emitAt(kind, at.shadow.hi, at.shadow.lo, at.offset, at.shadow.width, detail, site);
}

type Arithmetic = (view: any, index: number, value: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A read-modify-write: its release half takes a sequence number before the operation and is written
 * after (when its effect on the value is known); its acquire half comes after the operation.
 */
function readModifyWrite(operation: Arithmetic, combine: (old: any, value: any) => unknown) { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint => {
    if (!tracing) return operation(view, index, value);
    const at = locationOf(view, index);
    if (!at) return operation(view, index, value);
    const sequence = takeSequence();
    const old = operation(view, index, value) as number | bigint;
    const detail = (isZero(old) ? AtomicDetail.OldZero : 0) | (isZero(coerced(view, combine(old, value))) ? AtomicDetail.NewZero : 0);
    emitAt(EventKind.AtomicStore, at.shadow.hi, at.shadow.lo, at.offset, at.shadow.width, 0, site, sequence);
    recordAtomic(EventKind.AtomicReadModifyWrite, at, detail, site);
    return old;
  };
}

export const atomics: AtomicsEntries = {
  load(view, index: number, site: number): number | bigint {
    const value = Atomics.load(view as Int32Array, index);
    if (tracing) {
      const at = locationOf(view, index);
      if (at) recordAtomic(EventKind.AtomicLoad, at, 0, site);
    }
    return value;
  },
  store(view, index: number, value: unknown, site: number): number | bigint {
    if (tracing) {
      const at = locationOf(view, index);
      if (at) recordAtomic(EventKind.AtomicStore, at, isZero(coerced(view, value)) ? AtomicDetail.NewZero : 0, site);
    }
    return Atomics.store(view as Int32Array, index, value as number);
  },
  add: readModifyWrite(Atomics.add, (old, value) => old + value),
  sub: readModifyWrite(Atomics.sub, (old, value) => old - value),
  and: readModifyWrite(Atomics.and, (old, value) => old & value),
  or: readModifyWrite(Atomics.or, (old, value) => old | value),
  xor: readModifyWrite(Atomics.xor, (old, value) => old ^ value),
  exchange: readModifyWrite(Atomics.exchange, (_old, value) => value),
  compareExchange(view, index: number, expected: unknown, replacement: unknown, site: number): number | bigint {
    if (!tracing) return Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const at = locationOf(view, index);
    if (!at) return Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const sequence = takeSequence();
    const old = Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const swapped = old === coerced(view, expected);
    // A failed exchange only read: its early sequence number carries an acquire (sound: it is earlier).
    emitAt(swapped ? EventKind.AtomicStore : EventKind.AtomicLoad, at.shadow.hi, at.shadow.lo, at.offset, at.shadow.width, 0, site, sequence);
    const now = swapped ? coerced(view, replacement) : old;
    const detail = (isZero(old) ? AtomicDetail.OldZero : 0) | (isZero(now) ? AtomicDetail.NewZero : 0);
    recordAtomic(swapped ? EventKind.AtomicReadModifyWrite : EventKind.AtomicLoad, at, swapped ? detail : 0, site);
    return old;
  },
  wait(view: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout: number | undefined, site: number): string {
    const at = tracing ? locationOf(view, index) : undefined;
    if (!at) return Atomics.wait(view as Int32Array, index, value as number, timeout);
    const timed = timeout !== undefined && Number(timeout) !== Infinity;
    const detail = (timed ? AtomicDetail.Timed : 0) | (isZero(coerced(view, value)) ? 0 : AtomicDetail.WaitsOnNonZero);
    recordAtomic(EventKind.AtomicWaitBegin, at, detail, site);
    const result = Atomics.wait(view as Int32Array, index, value as number, timeout);
    // Woken by a notify, or the value had already changed: either way this thread saw another's write.
    if (result !== 'timed-out') recordAtomic(EventKind.AtomicWait, at, detail, site);
    else recordAtomic(EventKind.BlockEnd, at, detail, site);
    return result;
  },
  waitAsync(view: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout: number | undefined, site: number): unknown {
    const waitAsync = (Atomics as unknown as { waitAsync: (...args: unknown[]) => { async: boolean; value: unknown } }).waitAsync;
    const result = waitAsync(view, index, value, timeout);
    const at = tracing ? locationOf(view, index) : undefined;
    if (!at) return result;
    if (!result.async) {
      if (result.value === 'not-equal') recordAtomic(EventKind.AtomicWait, at, 0, site);
      return result;
    }
    // Our reaction is attached first, so it runs before the program's continuation.
    (result.value as Promise<string>).then((outcome) => {
      if (outcome === 'ok' && tracing) recordAtomic(EventKind.AtomicWait, at, 0, site);
    }, () => undefined);
    return result;
  },
  notify(view: Int32Array | BigInt64Array, index: number, count: number | undefined, site: number): number {
    if (tracing) {
      const at = locationOf(view, index);
      // Before the wake-up: the woken thread's acquire must come after this release.
      if (at) recordAtomic(EventKind.AtomicNotify, at, 0, site);
    }
    return Atomics.notify(view as Int32Array, index, count);
  },
};
