/**
 * What instrumented code calls at run time, installed once per thread on a global the module prologue
 * reads (see transform.ts). It turns element accesses on SharedArrayBuffer-backed typed arrays into memory
 * events, Atomics calls into synchronisation events, and follows the memory and the happens-before edges
 * that cross threads outside racecheck's primitives: postMessage, Worker start and exit.
 *
 * The hot path is an element access. A typed array's verdict (shared or not) and its shadow are cached on
 * the view itself under a private symbol; anything that is not a typed array costs one failed lookup. A
 * shared access is recorded only when this thread has not already made the same kind of access to the same
 * element in the current synchronisation epoch (FastTrack's same-epoch case): a hot loop over one buffer
 * between two synchronisation points writes each element's events once, not once per iteration.
 *
 * Synchronisation events take their global sequence number so that sequence order agrees with real time:
 * the release half of an operation before the operation becomes visible, the acquire half after it
 * returns. A read-modify-write therefore records two events around the operation.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { isMainThread, MessagePort, Worker, type BroadcastChannel, type TransferListItem, type WorkerOptions } from 'node:worker_threads';
import { newIdentity } from '../../core/handles.js';
import { ENVIRONMENT_DATA } from '../../core/run-protocol.js';
import { defineSites, emit, emitAt, emitAtSequence, nameThread, onSettle, onTracingChange, syncEpoch, takeSequence, tracing } from '../probe.js';
import { AtomicDetail, EventKind, MAX_DETAIL } from '../schema.js';
import { installAsyncRuntime } from './async-runtime.js';
import { instrumentWorkerCode, WORKER_EVAL_NAME } from './instrument-module.js';
import { isToolingFile, RUNTIME_KEY, type InstrumentScope } from './scope.js';

const require = createRequire(import.meta.url);
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');

// ——— Shared memory identity ———

/** Every SharedArrayBuffer this thread has seen, with its identity in the run (the same in every thread). */
const bufferIds = new WeakMap<SharedArrayBuffer, [hi: number, lo: number]>();

function bufferId(buffer: SharedArrayBuffer): [number, number] {
  let id = bufferIds.get(buffer);
  if (!id) {
    id = newIdentity();
    bufferIds.set(buffer, id);
  }
  return id;
}

/** Elements (64 MB of shadow) up to which a buffer's shadow is mapped in at once. */
const PREFAULT_LIMIT = 16 * 1024 * 1024;

/**
 * Per buffer and element width, what this thread recorded of each element in its current epoch: the
 * epoch (always even) if it was read, the epoch + 1 if it was written (a write covers reads of the same
 * epoch; a read after a write needs no event). One number per element: a byte buffer's shadow is four
 * bytes per byte, and an access checks one of them.
 */
const cellsByBuffer = new WeakMap<SharedArrayBuffer, Map<number, Int32Array>>();

/** What a shared view needs to record an access: buffer identity, where it starts, its element width. */
class ViewShadow {
  constructor(
    readonly hi: number,
    readonly lo: number,
    /** Index of the view's first element among the buffer's elements of this width. */
    readonly base: number,
    readonly width: number,
    /** The view's length when classified (fixed-length views of SharedArrayBuffers do not change). */
    readonly length: number,
    readonly cells: Int32Array,
  ) {}
}

interface TypedArray extends ArrayBufferView {
  readonly length: number;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * The verdict on an object, cached under a private symbol: a ViewShadow for a typed array on shared
 * memory, null for anything else. Object.prototype answers null for every ordinary object, array and
 * string (a prototype-chain hit V8 caches), and %TypedArray%.prototype answers undefined until a typed
 * array has been classified and carries its own verdict.
 */
const SHADOW = Symbol('racecheck.shadow');
Object.defineProperty(Object.prototype, SHADOW, { value: null, configurable: true });
Object.defineProperty(Object.getPrototypeOf(Int8Array.prototype) as object, SHADOW, { value: undefined, configurable: true });

/** Views that cannot carry the symbol (non-extensible): their verdict lives here. */
const shadowFallback = new WeakMap<object, ViewShadow | null>();

/** This thread's marks for a buffer's elements of one width, shared by every view of that width. */
function cellsOf(buffer: SharedArrayBuffer, width: number): Int32Array {
  let byWidth = cellsByBuffer.get(buffer);
  if (!byWidth) {
    byWidth = new Map();
    cellsByBuffer.set(buffer, byWidth);
  }
  let cells = byWidth.get(width);
  if (!cells) {
    cells = new Int32Array(Math.ceil(buffer.byteLength / width));
    // Fresh memory is mapped as it is first touched. Touched here in one pass, it cost the ray tracer's
    // workers ~20 ms each; touched by the program's loop, one page at a time between its own work while
    // other threads fault and collect too, ~100 ms. Not for very large buffers, whose elements a thread
    // may touch only a few of.
    if (cells.length <= PREFAULT_LIMIT) cells.fill(0);
    byWidth.set(width, cells);
  }
  return cells;
}

function isTrackable(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return buffer instanceof SharedArrayBuffer && !(buffer as { growable?: boolean }).growable;
}

/** The shadow of a typed array backed by a SharedArrayBuffer; null for any other typed array. */
function classify(view: TypedArray): ViewShadow | null {
  const known = shadowFallback.get(view);
  if (known !== undefined) return known;
  let shadow: ViewShadow | null = null;
  const buffer = view.buffer;
  if (isTrackable(buffer)) {
    const width = view.BYTES_PER_ELEMENT;
    const [hi, lo] = bufferId(buffer);
    shadow = new ViewShadow(hi, lo, view.byteOffset / width, width, view.length, cellsOf(buffer, width));
  }
  if (Object.isExtensible(view)) Object.defineProperty(view, SHADOW, { value: shadow });
  else shadowFallback.set(view, shadow);
  return shadow;
}

/** The verdict on anything the program indexes (proxies and null-prototype objects are asked each time). */
function shadowOf(target: unknown): ViewShadow | null {
  const cached = (target as { [SHADOW]?: ViewShadow | null })[SHADOW];
  if (cached !== undefined) return cached;
  if (!ArrayBuffer.isView(target) || target instanceof DataView) return null;
  return classify(target as TypedArray);
}

// ——— DataViews ———

/**
 * A DataView's verdict, cached like a typed array's but under a symbol of its own (a DataView has no
 * element width: each method has one). Object.prototype answers null, so that the per-site functions of
 * `x.getInt32(…)` calls cost one cached lookup for objects that are not DataViews.
 */
const DATA_VIEW_SHADOW = Symbol('racecheck.dataView');
Object.defineProperty(Object.prototype, DATA_VIEW_SHADOW, { value: null, configurable: true });
Object.defineProperty(DataView.prototype, DATA_VIEW_SHADOW, { value: undefined, configurable: true });

const dataViewFallback = new WeakMap<DataView, DataViewShadow | null>();

/** A DataView on shared memory: the buffer's elements of each width, seen whole. */
class DataViewShadow {
  readonly #byWidth: (ViewShadow | undefined)[] = [];

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly byteOffset: number,
  ) {}

  whole(width: number): ViewShadow {
    let shadow = this.#byWidth[width];
    if (!shadow) {
      const [hi, lo] = bufferId(this.buffer);
      shadow = new ViewShadow(hi, lo, 0, width, Math.floor(this.buffer.byteLength / width), cellsOf(this.buffer, width));
      this.#byWidth[width] = shadow;
    }
    return shadow;
  }
}

function classifyDataView(view: DataView): DataViewShadow | null {
  const known = dataViewFallback.get(view);
  if (known !== undefined) return known;
  // An object that only inherits from DataView.prototype has no buffer to ask for.
  const shadow = ArrayBuffer.isView(view) && isTrackable(view.buffer) ? new DataViewShadow(view.buffer, view.byteOffset) : null;
  if (Object.isExtensible(view)) Object.defineProperty(view, DATA_VIEW_SHADOW, { value: shadow });
  else dataViewFallback.set(view, shadow);
  return shadow;
}

/**
 * After a DataView call at `offset` succeeded (a call that throws accessed nothing): records it as an
 * access of the buffer's element of that width, or, when it is not aligned, of the bytes it covers (the
 * analyzer compares accesses of different widths byte by byte). An offset that is neither a number nor
 * left out is not converted again (that could run the program's code twice): such an access is not
 * recorded.
 */
function dataViewAccess(view: DataView, known: DataViewShadow | undefined, offset: unknown, width: number, write: number, site: number): void {
  if (!tracing) return;
  const shadow = known === undefined ? classifyDataView(view) : known;
  if (shadow === null || (offset !== undefined && typeof offset !== 'number')) return;
  const at = shadow.byteOffset + (offset === undefined ? 0 : Math.trunc(offset) || 0);
  if (at % width === 0) {
    recordAccess(shadow.whole(width), at / width, site, write === 1);
    return;
  }
  const bytes = shadow.whole(1);
  for (let byte = at; byte < at + width; byte++) recordAccess(bytes, byte, site, write === 1);
}

// ——— Built-in methods that access many elements ———

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
 * `count` elements from `first` (the view's own indices), read or written by one built-in call: marked in
 * this epoch like single accesses, and written as runs after the runs already open (lane order).
 */
function recordRange(shadow: ViewShadow, first: number, count: number, site: number, write: boolean): void {
  if (count <= 0) return;
  writeRuns();
  const cells = shadow.cells;
  const start = shadow.base + first;
  const epoch = syncEpoch[0]!;
  if (write) cells.fill(epoch | 1, start, start + count);
  else for (let cell = start; cell < start + count; cell++) if ((cells[cell]! & -2) !== epoch) cells[cell] = epoch;
  for (let done = 0; done < count; done += MAX_RUN) {
    emitAt(write ? EventKind.MemoryWrite : EventKind.MemoryRead, shadow.hi, shadow.lo, (start + done) * shadow.width, shadow.width, Math.min(MAX_RUN, count - done), site);
  }
}

/**
 * After a typed-array method returned (one that threw recorded nothing): the elements it read and wrote,
 * from its arguments and result. Only the built-in itself: a subclass's own `fill` may touch anything.
 */
function bulkAccess(view: TypedArray, known: ViewShadow | null | undefined, method: string, result: unknown, site: number, a0: unknown, a1: unknown, a2: unknown): void {
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
function spreadAccess(value: unknown, site: number): unknown {
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
function iterateAccess(value: unknown, site: number): unknown {
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

/**
 * Runs of accesses are written as one event: the same kind, at the same site, to consecutive elements of
 * one buffer within one epoch (a loop over a row). A few runs stay open at once, so that a loop reading
 * two arrays in step coalesces both. Runs are written when they cannot grow, and before every
 * synchronisation event (probe.settle), so the lane order the analyzer relies on is kept.
 */
const MAX_RUN = MAX_DETAIL;
const OPEN_RUNS = 4;

class Run {
  cells: Int32Array | null = null;
  hi = 0;
  lo = 0;
  width = 0;
  write = false;
  site = 0;
  first = 0;
  count = 0;
}

const runs = Array.from({ length: OPEN_RUNS }, () => new Run());
let nextVictim = 0;
/**
 * The run the last recorded access went to: a loop's next access most often extends it. The per-site
 * accessors extend it themselves when the next element is theirs (transform.ts).
 */
const hot = { run: runs[0]! };

function writeRun(run: Run): void {
  if (run.cells === null) return;
  emitAt(run.write ? EventKind.MemoryWrite : EventKind.MemoryRead, run.hi, run.lo, run.first * run.width, run.width, run.count, run.site);
  run.cells = null;
}

function writeRuns(): void {
  for (const run of runs) writeRun(run);
}

/** The slow half of an access: checks the key, then records it unless this epoch already did. */
function recordAccess(shadow: ViewShadow, key: unknown, site: number, write: boolean): void {
  if (typeof key !== 'number' || (key >>> 0) !== key || key >= shadow.length) return;
  const cell = shadow.base + key;
  const cells = shadow.cells;
  const epoch = syncEpoch[0]!;
  const seen = cells[cell]!;
  if (write) {
    if (seen === (epoch | 1)) return;
    cells[cell] = epoch | 1;
  } else {
    if ((seen & -2) === epoch) return;
    cells[cell] = epoch;
  }
  let run = hot.run;
  if (!canExtend(run, cells, cell, site, write)) {
    let i = 0;
    while (i < OPEN_RUNS && !canExtend(runs[i]!, cells, cell, site, write)) i++;
    if (i === OPEN_RUNS) {
      startRun(shadow, cell, site, write);
      return;
    }
    run = hot.run = runs[i]!;
  }
  run.count++;
}

/** Whether `run` can take element `cell` of `cells` next: same site and kind, the element after its last. */
function canExtend(run: Run, cells: Int32Array, cell: number, site: number, write: boolean): boolean {
  return run.first + run.count === cell && run.cells === cells && run.site === site && run.write === write && run.count < MAX_RUN;
}

/** A new run of one element, in place of the open run written longest ago. */
function startRun(shadow: ViewShadow, cell: number, site: number, write: boolean): void {
  const run = runs[nextVictim]!;
  hot.run = run;
  nextVictim = (nextVictim + 1) % OPEN_RUNS;
  writeRun(run);
  run.cells = shadow.cells;
  run.hi = shadow.hi;
  run.lo = shadow.lo;
  run.width = shadow.width;
  run.write = write;
  run.site = site;
  run.first = cell;
  run.count = 1;
}

type Indexable = Record<PropertyKey, unknown> & { [SHADOW]?: ViewShadow | null };

/**
 * What the per-site accessors (transform.ts) call when their inline checks did not settle an access: a
 * typed array not classified yet, or a shared element's first access of its kind in this epoch (the
 * accessors answer everything else, and recordAccess checks the epoch again for anyone else).
 */
function read(target: Indexable, key: PropertyKey, site: number): unknown {
  const shadow = target[SHADOW];
  if (shadow === undefined) accessSlow(target, key, site, false);
  else if (shadow !== null && tracing) recordAccess(shadow, key, site, false);
  return target[key];
}

function write(target: Indexable, key: PropertyKey, value: unknown, site: number): unknown {
  target[key] = value;
  const shadow = target[SHADOW];
  if (shadow === undefined) accessSlow(target, key, site, true);
  else if (shadow !== null && tracing) recordAccess(shadow, key, site, true);
  return value;
}

function accessSlow(target: Indexable, key: PropertyKey, site: number, isWrite: boolean): void {
  if (!tracing) return;
  const shadow = shadowOf(target);
  if (shadow) recordAccess(shadow, key, site, isWrite);
}

/** Read then write of one element (compound assignments and increments). */
function readWrite(target: Indexable, key: PropertyKey, site: number): void {
  const shadow = target[SHADOW] === undefined ? shadowOf(target) : target[SHADOW];
  if (shadow && tracing) {
    recordAccess(shadow, key, site, false);
    recordAccess(shadow, key, site, true);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the operators apply to whatever the program stores */
function applyOperator(old: any, operator: string, operand: any): unknown {
  switch (operator) {
    case '+=': return old + operand;
    case '-=': return old - operand;
    case '*=': return old * operand;
    case '/=': return old / operand;
    case '%=': return old % operand;
    case '**=': return old ** operand;
    case '<<=': return old << operand;
    case '>>=': return old >> operand;
    case '>>>=': return old >>> operand;
    case '&=': return old & operand;
    case '|=': return old | operand;
    case '^=': return old ^ operand;
    default: throw new TypeError(`racecheck: unknown operator ${operator}`);
  }
}

/**
 * `o[k] op= v`. One difference from the original, accepted: JavaScript reads `o[k]` before evaluating `v`,
 * and here `v` is an argument, evaluated first; it shows only when evaluating `v` changes `o[k]` itself.
 */
function update(target: Indexable, key: PropertyKey, operator: string, operand: unknown, site: number): unknown {
  const result = applyOperator(target[key], operator, operand);
  target[key] = result;
  readWrite(target, key, site);
  return result;
}

/** `o[k]++`, `--o[k]` and friends. */
function step(target: Indexable, key: PropertyKey, delta: number, prefix: number, site: number): unknown {
  let old: any = target[key];
  old = typeof old === 'bigint' ? old : Number(old);
  const result = typeof old === 'bigint' ? old + BigInt(delta) : old + delta;
  target[key] = result;
  readWrite(target, key, site);
  return prefix ? result : old;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ——— Atomics ———

/** One scratch element per typed-array type: what a value becomes when stored there (wrapping, truncation). */
const scratch = new Map<unknown, TypedArray>();

function coerced(view: TypedArray, value: unknown): number | bigint {
  const ctor = view.constructor as new (length: number) => TypedArray;
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

function locationOf(view: TypedArray, index: number): Location | undefined {
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
  return (view: TypedArray, index: number, value: unknown, site: number): number | bigint => {
    if (!tracing) return operation(view, index, value);
    const at = locationOf(view, index);
    if (!at) return operation(view, index, value);
    const sequence = takeSequence();
    const old = operation(view, index, value) as number | bigint;
    const detail = (isZero(old) ? AtomicDetail.OldZero : 0) | (isZero(coerced(view, combine(old, value))) ? AtomicDetail.NewZero : 0);
    emitAtSequence(EventKind.AtomicStore, at.shadow.hi, at.shadow.lo, at.offset, at.shadow.width, 0, site, sequence);
    recordAtomic(EventKind.AtomicReadModifyWrite, at, detail, site);
    return old;
  };
}

const atomics = {
  load(view: TypedArray, index: number, site: number): number | bigint {
    const value = Atomics.load(view as Int32Array, index);
    if (tracing) {
      const at = locationOf(view, index);
      if (at) recordAtomic(EventKind.AtomicLoad, at, 0, site);
    }
    return value;
  },
  store(view: TypedArray, index: number, value: unknown, site: number): number | bigint {
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
  compareExchange(view: TypedArray, index: number, expected: unknown, replacement: unknown, site: number): number | bigint {
    if (!tracing) return Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const at = locationOf(view, index);
    if (!at) return Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const sequence = takeSequence();
    const old = Atomics.compareExchange(view as Int32Array, index, expected as number, replacement as number);
    const swapped = old === coerced(view, expected);
    // A failed exchange only read: its early sequence number carries an acquire (sound: it is earlier).
    emitAtSequence(swapped ? EventKind.AtomicStore : EventKind.AtomicLoad, at.shadow.hi, at.shadow.lo, at.offset, at.shadow.width, 0, site, sequence);
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

// ——— Sites ———

function sites(encoded: readonly string[]): number {
  return defineSites(encoded);
}

// ——— Messages, workerData and Worker lifecycle ———

const MESSAGE_MARK = '__racecheckMessage__';
const WORKER_DATA_MARK = '__racecheckWorkerData__';

interface Envelope {
  [MESSAGE_MARK]?: 1;
  [WORKER_DATA_MARK]?: 1;
  hi: number;
  lo: number;
  buffers: SharedArrayBuffer[];
  ids: number[];
  value: unknown;
}

/**
 * The SharedArrayBuffers a structured clone of `value` would carry (cycles and depth are bounded); ports
 * met on the way go to `onPort`.
 */
function sharedBuffersIn(value: unknown, onPort?: (port: MessagePort) => void): SharedArrayBuffer[] {
  const found = new Set<SharedArrayBuffer>();
  const seen = new Set<object>();
  const visit = (item: unknown, depth: number): void => {
    if (typeof item !== 'object' || item === null || depth > 64 || seen.has(item)) return;
    seen.add(item);
    if (item instanceof SharedArrayBuffer) {
      found.add(item);
      return;
    }
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof SharedArrayBuffer) found.add(item.buffer);
      return;
    }
    if (item instanceof MessagePort) {
      onPort?.(item);
      return;
    }
    if (item instanceof ArrayBuffer) return;
    if (Array.isArray(item)) {
      for (const element of item) if (typeof element === 'object') visit(element, depth + 1);
      return;
    }
    if (item instanceof Map) {
      for (const [key, element] of item) {
        visit(key, depth + 1);
        visit(element, depth + 1);
      }
      return;
    }
    if (item instanceof Set) {
      for (const element of item) visit(element, depth + 1);
      return;
    }
    for (const key of Object.keys(item)) visit((item as Record<string, unknown>)[key], depth + 1);
  };
  visit(value, 0);
  return [...found];
}

function envelope(mark: typeof MESSAGE_MARK | typeof WORKER_DATA_MARK, value: unknown, hi: number, lo: number): Envelope {
  const buffers = sharedBuffersIn(value);
  const ids: number[] = [];
  for (const buffer of buffers) ids.push(...bufferId(buffer));
  return { [mark]: 1, hi, lo, buffers, ids, value };
}

function isEnvelope(value: unknown, mark: string): value is Envelope {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[mark] === 1;
}

/**
 * The receiving side: the buffers in the envelope are the very objects inside its value. Ports that came
 * with it are the program's now, and what it sends on them is traced.
 */
function open(envelope: Envelope): unknown {
  envelope.buffers.forEach((buffer, i) => {
    if (!bufferIds.has(buffer)) bufferIds.set(buffer, [envelope.ids[2 * i]!, envelope.ids[2 * i + 1]!]);
  });
  sharedBuffersIn(envelope.value, traceSending);
  return envelope.value;
}

let lastReceived = -1;

function received(envelope: Envelope): unknown {
  const value = open(envelope);
  // Every listener of one message runs in turn: one receipt is enough.
  const key = envelope.hi * 2 ** 32 + envelope.lo;
  if (tracing && key !== lastReceived) {
    lastReceived = key;
    emitAt(EventKind.MessageReceive, envelope.hi, envelope.lo, 0, 0, 0, 0);
  }
  return value;
}

const HYBRID_DISPATCH = Symbol.for('nodejs.internal.kHybridDispatch');

/**
 * Sending is traced on the program's own ports only — Worker and parentPort, channels it makes, and ports
 * that reach it inside traced messages — never on the prototype: Node's internals (the loader thread,
 * racecheck's collector) talk over MessagePorts too, and their messages must pass untouched.
 */
const tracedPorts = new WeakSet<object>();

/**
 * Sends `value` with a MessageSend released before the message can arrive, inside an envelope that carries
 * its shared buffers' identities and the message's id to the receiving side.
 */
function sendTraced(post: (message: unknown) => void, value: unknown, entry: (...args: never[]) => unknown): void {
  if (!tracing) return post(value);
  const [hi, lo] = newIdentity();
  emit(EventKind.MessageSend, hi * 2 ** 32 + lo, 0, 0, entry);
  post(envelope(MESSAGE_MARK, value, hi, lo));
}

function traceSending(port: MessagePort): void {
  if (tracedPorts.has(port)) return;
  tracedPorts.add(port);
  const postMessage = port.postMessage;
  Object.defineProperty(port, 'postMessage', {
    configurable: true,
    writable: true,
    value: function postMessageTraced(this: MessagePort, value: unknown, transfer?: unknown): void {
      sendTraced((message) => postMessage.call(this, message, transfer as never), value, postMessageTraced);
    },
  });
}

function patchMessaging(): void {
  // Receiving is one place for every port: Node's dispatch, which `on`, `once`, `addEventListener` and
  // `onmessage` all go through. Only envelopes are touched; any other message passes as it is.
  const prototype = MessagePort.prototype as unknown as Record<PropertyKey, unknown>;
  const dispatch = prototype[HYBRID_DISPATCH] as ((this: MessagePort, value: unknown, type: string, event: unknown) => unknown) | undefined;
  if (typeof dispatch === 'function') {
    prototype[HYBRID_DISPATCH] = function dispatchTraced(this: MessagePort, value: unknown, type: string, event: unknown): unknown {
      return dispatch.call(this, type === 'message' && isEnvelope(value, MESSAGE_MARK) ? received(value) : value, type, event);
    };
  }
  const receiveMessageOnPort = workerThreads.receiveMessageOnPort;
  workerThreads.receiveMessageOnPort = (target) => {
    const result = receiveMessageOnPort(target);
    if (result && isEnvelope(result.message, MESSAGE_MARK)) return { message: received(result.message) };
    return result;
  };
  const OriginalChannel = workerThreads.MessageChannel;
  class TracedMessageChannel extends OriginalChannel {
    constructor() {
      super();
      traceSending(this.port1);
      traceSending(this.port2);
    }
  }
  Object.defineProperty(TracedMessageChannel, 'name', { value: 'MessageChannel' });
  (workerThreads as { MessageChannel: unknown }).MessageChannel = TracedMessageChannel;
  (globalThis as { MessageChannel: unknown }).MessageChannel = TracedMessageChannel;
  if (!isMainThread && workerThreads.parentPort) traceSending(workerThreads.parentPort);
  // BroadcastChannel (the global is the same class): each channel's messages arrive through a MessagePort
  // of its own, and so through the dispatch above; only sending needs wrapping. Every channel of the name
  // that receives the message acquires what the sender released.
  const broadcast = workerThreads.BroadcastChannel.prototype as { postMessage: (this: BroadcastChannel, ...args: unknown[]) => void };
  const postBroadcast = broadcast.postMessage;
  broadcast.postMessage = function postMessageTraced(this: BroadcastChannel, ...args: unknown[]): void {
    // Without an argument Node throws, and must still.
    if (args.length === 0) return postBroadcast.call(this);
    sendTraced((message) => postBroadcast.call(this, message), args[0], postMessageTraced);
  };
}

/** Where a worker learns the identity its parent gave it. */
const SPAWN_KEY = ENVIRONMENT_DATA.spawn;
const BOOT_KEY = ENVIRONMENT_DATA.boot;
const TS_EXTENSION = /\.(?:ts|mts|cts|tsx)$/;

export interface RuntimeOptions {
  /** `--import` arguments every worker must start with (tsx and the preload), in order. */
  imports: string[];
  /** tsx's ES module and CommonJS APIs, to load TypeScript worker entries where tsx is not inherited. */
  tsxApi: string;
  tsxCommonJsApi: string;
  /** Workers inherit a working tsx with `imports` (Node runs loader hooks in each thread). */
  tsxInherited: boolean;
  /** racecheck's preload module, which an eval worker must import itself. */
  preload: string;
  /** What the loader instruments (a worker's code given as a string is instrumented the same way). */
  scope: InstrumentScope;
}

/**
 * What a TypeScript worker entry starts with: tsx (its ES module and CommonJS halves), then racecheck's
 * preload (`--import` does not reach an eval worker; its hooks, registered after tsx's, run first and see
 * the JavaScript tsx makes), then the user's module. Not needed where a worker inherits a working tsx.
 */
const TYPESCRIPT_BOOTSTRAP = `
const { getEnvironmentData } = require('node:worker_threads');
const boot = getEnvironmentData(${JSON.stringify(BOOT_KEY)});
(async () => {
  (await import(boot.tsx)).register();
  require(boot.tsxCommonJs).register();
  if (boot.preload) await import(boot.preload);
  await import(boot.entry);
})();
`;

/**
 * What a worker given its code as a string (`eval: true`) starts with: racecheck's preload (`--import`
 * does not reach such a worker), then the code, instrumented, run the way Node runs it: a script in this
 * context, under Node's own name for it.
 */
const EVAL_BOOTSTRAP = `
const { getEnvironmentData } = require('node:worker_threads');
const boot = getEnvironmentData(${JSON.stringify(BOOT_KEY)});
(async () => {
  await import(boot.preload);
  require('node:vm').runInThisContext(boot.code, { filename: boot.name });
})();
`;

function patchWorker(options: RuntimeOptions): void {
  const OriginalWorker = Worker;
  const exitTokens = new WeakMap<Worker, number>();
  const joined = (worker: Worker): void => {
    const token = exitTokens.get(worker);
    if (token !== undefined && tracing) {
      exitTokens.delete(worker);
      emit(EventKind.ThreadJoin, token);
    }
  };
  const foreign = new WeakSet<Worker>();
  class TracedWorker extends OriginalWorker {
    constructor(filename: string | URL, workerOptions: WorkerOptions = {}) {
      if (madeByTooling(TracedWorker)) {
        super(filename, workerOptions);
        foreign.add(this);
        return;
      }
      const [hi, lo] = newIdentity();
      const token = hi * 2 ** 32 + lo;
      const settings: WorkerOptions = { ...workerOptions };
      // A worker inherits this thread's options (racecheck's --imports among them) unless given its own;
      // passing process.execArgv explicitly would make Node reject the V8 flags in it.
      if (workerOptions.execArgv) settings.execArgv = withImports(workerOptions.execArgv, options.imports);
      const path = typeof filename === 'string' ? filename : filename.href;
      // Code given as a string (Node allows nothing else with eval) gets racecheck's preload from a bootstrap.
      const code = workerOptions.eval === true && typeof filename === 'string';
      const typescript = !workerOptions.eval && TS_EXTENSION.test(path.split('?')[0]!);
      if ('workerData' in workerOptions) settings.workerData = envelope(WORKER_DATA_MARK, workerOptions.workerData, hi, lo);
      let entry = filename;
      let boot: Record<string, unknown> | undefined;
      // Where workers inherit a working tsx, a TypeScript entry starts as Node starts any other.
      if (typescript && !options.tsxInherited) {
        const url = typeof filename === 'string' ? new URL(filename, `file://${process.cwd()}/`).href : filename.href;
        boot = { tsx: options.tsxApi, tsxCommonJs: options.tsxCommonJsApi, entry: url, preload: options.preload };
        entry = TYPESCRIPT_BOOTSTRAP;
        settings.eval = true;
      } else if (code) {
        boot = { preload: options.preload, code: instrumentWorkerCode(filename, options.scope), name: WORKER_EVAL_NAME };
        entry = EVAL_BOOTSTRAP;
      }
      if (boot) workerThreads.setEnvironmentData(BOOT_KEY, boot as never);
      // Width 1: a daemon as far as thread-leak goes (a program need not wait for its workers to end).
      if (tracing) emit(EventKind.ThreadSpawn, token, 0, 1, TracedWorker as unknown as (...args: never[]) => unknown);
      const name = workerOptions.name || (code ? WORKER_EVAL_NAME : basename(decodeURIComponent(path.split('?')[0]!))) || 'worker';
      workerThreads.setEnvironmentData(SPAWN_KEY, { token, name });
      try {
        super(entry, settings);
      } finally {
        workerThreads.setEnvironmentData(SPAWN_KEY, undefined as never);
        if (boot) workerThreads.setEnvironmentData(BOOT_KEY, undefined as never);
      }
      exitTokens.set(this, token);
    }

    override postMessage(value: unknown, transfer?: readonly TransferListItem[]): void {
      if (foreign.has(this)) return super.postMessage(value, transfer as never);
      sendTraced((message) => super.postMessage(message, transfer as never), value, this.postMessage as (...args: never[]) => unknown);
    }

    override emit(name: string | symbol, ...args: unknown[]): boolean {
      // The exit is observed before any listener runs: everything the worker did happens before them. An
      // exit nobody listens for orders nothing in the program (only the event loop's timing would).
      if (name === 'exit' && this.listenerCount('exit') > 0) joined(this);
      return super.emit(name, ...args);
    }

    override terminate(): Promise<number> {
      return super.terminate().then((code) => {
        joined(this);
        return code;
      });
    }
  }
  Object.defineProperty(TracedWorker, 'name', { value: 'Worker' });
  (workerThreads as { Worker: unknown }).Worker = TracedWorker;
}

/** Whether the code that called `constructor` is racecheck's or its tools' (scope.ts, isToolingFile). */
function madeByTooling(constructor: abstract new (...args: never[]) => unknown): boolean {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames[0]?.getFileName() ?? undefined;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, constructor);
    const file = holder.stack;
    return typeof file === 'string' && isToolingFile(file);
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/** `execArgv` with racecheck's `--import`s first (a program may pass its own execArgv to a worker). */
function withImports(execArgv: readonly string[], imports: readonly string[]): string[] {
  const wanted = imports.flatMap((url) => ['--import', url]);
  for (let i = 0; i + 1 < execArgv.length; i++) {
    if (execArgv[i] === '--import' && execArgv[i + 1] === imports[imports.length - 1]) return [...execArgv];
  }
  return [...wanted, ...execArgv];
}

/** In a worker started by a traced Worker: the start edge, the real workerData, and the exit edge. */
function startWorker(): void {
  const spawn = workerThreads.getEnvironmentData(SPAWN_KEY) as { token: number; name: string } | undefined;
  if (typeof spawn?.token !== 'number') return;
  const { token, name } = spawn;
  // Our own workers must not take this thread's identity.
  workerThreads.setEnvironmentData(SPAWN_KEY, undefined as never);
  if (tracing) {
    nameThread(`${name} #${workerThreads.threadId}`);
    emit(EventKind.ThreadStart, token);
  }
  if (isEnvelope(workerThreads.workerData, WORKER_DATA_MARK)) {
    (workerThreads as { workerData: unknown }).workerData = open(workerThreads.workerData);
  }
  // First among exit listeners: before the probe gives the lane back, so that the exit follows this
  // thread's last accesses in its own lane (the reader orders a lane's accesses by its own sync events).
  process.prependOnceListener('exit', () => {
    if (tracing) emit(EventKind.ThreadExit, token);
  });
}

let installed = false;

/** Installs the runtime in this thread (idempotent): the global, the messaging and Worker patches. */
export function installRuntime(options: RuntimeOptions): void {
  if (installed) return;
  installed = true;
  onSettle(writeRuns);
  // Closed when tracing stops, so that no accessor goes on extending a run nobody will write.
  onTracingChange((on) => {
    if (!on) writeRuns();
  });
  Object.defineProperty(globalThis, Symbol.for(RUNTIME_KEY), {
    value: Object.freeze({
      sites,
      shadow: SHADOW,
      epoch: syncEpoch,
      hot,
      dataView: DATA_VIEW_SHADOW,
      dv: dataViewAccess,
      bulk: bulkAccess,
      spread: spreadAccess,
      iterate: iterateAccess,
      r: read,
      w: write,
      u: update,
      p: step,
      atomics: Object.freeze(atomics),
      async: options.scope.async ? installAsyncRuntime() : undefined,
    }),
  });
  patchMessaging();
  patchWorker(options);
  if (!isMainThread) startWorker();
  syncBuiltinESMExports();
}
