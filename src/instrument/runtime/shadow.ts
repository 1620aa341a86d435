/**
 * The verdict on an object the program indexes, and a shared view's shadow: which buffer, where the view
 * starts, its element width, and this thread's epoch marks for the buffer's elements of that width.
 *
 * A typed array's verdict (shared or not) is cached on the view itself under a private symbol; anything
 * that is not a typed array costs one failed lookup: Object.prototype answers null for every ordinary
 * object, array and string (a prototype-chain hit V8 caches), and %TypedArray%.prototype answers undefined
 * until a typed array has been classified and carries its own verdict. `installVerdicts` puts those
 * answers on the prototypes; the runtime calls it when it is installed.
 */
import type { ShadowFields, TypedArrayLike } from '../abi.js';
import { bufferId } from './identity.js';

/** Elements (64 MB of shadow) up to which a buffer's shadow is mapped in at once. */
const PREFAULT_LIMIT = 16 * 1024 * 1024;

/**
 * Per buffer and element width, what this thread recorded of each element in its current epoch (abi.ts,
 * epochMark). One number per element: a byte buffer's shadow is four bytes per byte, and an access checks
 * one of them.
 */
const cellsByBuffer = new WeakMap<SharedArrayBuffer, Map<number, Int32Array>>();

/** What a shared view needs to record an access: buffer identity, where it starts, its element width. */
export class ViewShadow implements ShadowFields {
  constructor(
    readonly hi: number,
    readonly lo: number,
    readonly base: number,
    readonly width: number,
    readonly length: number,
    readonly cells: Int32Array,
  ) {}
}

export const SHADOW = Symbol('racecheck.shadow');

/**
 * A DataView's verdict, cached like a typed array's but under a symbol of its own (a DataView has no
 * element width: each method has one). Object.prototype answers null, so that the per-site functions of
 * `x.getInt32(…)` calls cost one cached lookup for objects that are not DataViews.
 */
export const DATA_VIEW_SHADOW = Symbol('racecheck.dataView');

let verdictsInstalled = false;

/** The prototypes' answers (see the top of this file). */
export function installVerdicts(): void {
  if (verdictsInstalled) return;
  verdictsInstalled = true;
  Object.defineProperty(Object.prototype, SHADOW, { value: null, configurable: true });
  Object.defineProperty(Object.getPrototypeOf(Int8Array.prototype) as object, SHADOW, { value: undefined, configurable: true });
  Object.defineProperty(Object.prototype, DATA_VIEW_SHADOW, { value: null, configurable: true });
  Object.defineProperty(DataView.prototype, DATA_VIEW_SHADOW, { value: undefined, configurable: true });
}

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
function classify(view: TypedArrayLike): ViewShadow | null {
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
export function shadowOf(target: unknown): ViewShadow | null {
  const cached = (target as { [SHADOW]?: ViewShadow | null })[SHADOW];
  if (cached !== undefined) return cached;
  if (!ArrayBuffer.isView(target) || target instanceof DataView) return null;
  return classify(target as TypedArrayLike);
}

const dataViewFallback = new WeakMap<DataView, DataViewShadow | null>();

/** A DataView on shared memory: the buffer's elements of each width, seen whole. */
export class DataViewShadow {
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

export function classifyDataView(view: DataView): DataViewShadow | null {
  const known = dataViewFallback.get(view);
  if (known !== undefined) return known;
  // An object that only inherits from DataView.prototype has no buffer to ask for.
  const shadow = ArrayBuffer.isView(view) && isTrackable(view.buffer) ? new DataViewShadow(view.buffer, view.byteOffset) : null;
  if (Object.isExtensible(view)) Object.defineProperty(view, DATA_VIEW_SHADOW, { value: shadow });
  else dataViewFallback.set(view, shadow);
  return shadow;
}
