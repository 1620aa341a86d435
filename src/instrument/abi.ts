/**
 * The one interface between instrumented code and the runtime, as `tsan_interface.h` is ThreadSanitizer's:
 * the transform writes JavaScript that reads these names, fields and encodings, and the runtime provides
 * them. Neither side spells one of them out itself, so that renaming a field or an entry here changes the
 * generated code and the runtime together (or fails to type-check), never one without the other.
 */
import { ENVIRONMENT_DATA, RUNTIME_GLOBAL_KEY } from '../core/run-protocol.js';
import { MAX_DETAIL } from '../tracer/schema.js';

/** The global (a `Symbol.for` key) that holds the thread's runtime; the prologue reads it once. */
export const RUNTIME_KEY = RUNTIME_GLOBAL_KEY;

/** Starts the prologue of every instrumented module: a module is never instrumented twice. */
export const INSTRUMENTED_MARK = '/*racecheck:instrumented*/';

/** Module-level names the prologue declares (`var`), each bound to a runtime entry or derived from one. */
export const PROLOGUE = {
  runtime: '__racecheck',
  sites: '__racecheckSites',
  shadow: '__racecheckShadow',
  epoch: '__racecheckEpoch',
  hot: '__racecheckHot',
  dataView: '__racecheckDataView',
  spread: '__racecheckSpread',
  iterate: '__racecheckIterate',
  async: '__racecheckAsync',
  segment: '__racecheckSegment',
  names: '__racecheckNames',
} as const;

/** Names generated per module or per function: per-site accessors (prefix + index), task and read slots. */
export const GENERATED = {
  readAccessor: '__racecheckR',
  writeAccessor: '__racecheckW',
  methodAccessor: '__racecheckM',
  task: '__racecheckTask',
  readSlot: '__racecheckRead',
  binding: '__racecheckBinding',
} as const;

/** What generated code reads of a shared view's shadow (runtime/shadow.ts implements it). */
export interface ShadowFields {
  /** This thread's epoch marks for the buffer's elements of the view's width. */
  readonly cells: Int32Array;
  /** Index of the view's first element among those cells. */
  readonly base: number;
  /** The view's length (fixed for views of a SharedArrayBuffer). */
  readonly length: number;
}

/** What generated code reads and advances of the open run (runtime/runs.ts implements it). */
export interface RunFields {
  cells: Int32Array | null;
  first: number;
  count: number;
  site: number;
  write: boolean;
}

type FieldNames<T> = { readonly [K in keyof T]-?: K };
export const SHADOW_FIELD: FieldNames<ShadowFields> = { cells: 'cells', base: 'base', length: 'length' };
export const RUN_FIELD: FieldNames<RunFields> = { cells: 'cells', first: 'first', count: 'count', site: 'site', write: 'write' };

/** Longest run of consecutive elements one event carries. */
export const MAX_RUN = MAX_DETAIL;

/**
 * The epoch-mark encoding. Epochs are even; an element's mark is the epoch if this thread read it in the
 * epoch, the epoch + 1 if it wrote it (a write covers the epoch's reads too). The functions and the
 * expressions (for generated code) are one encoding, checked against each other by the ABI test.
 */
export const epochMark = {
  read: (epoch: number): number => epoch,
  write: (epoch: number): number => epoch | 1,
  /** Whether `mark` says the element was read or written in `epoch`. */
  touchedIn: (mark: number, epoch: number): boolean => (mark & -2) === epoch,
};
export const epochMarkCode = {
  read: (epoch: string): string => epoch,
  write: (epoch: string): string => `${epoch} | 1`,
  touchedIn: (mark: string, epoch: string): string => `(${mark} & -2) === ${epoch}`,
};

/**
 * The run-extension rule — whether `run` can take element `cell` of `cells` next: the same cells, the
 * element right after its last, the same site and kind, room left. Written once, as an expression: the
 * per-site accessors inline it with their own site and kind, and the runtime compiles it (canExtendRun).
 */
export function runExtendsCode(run: string, cells: string, cell: string, site: string, write: string): string {
  const f = RUN_FIELD;
  return (
    `${run}.${f.cells} === ${cells} && ${run}.${f.first} + ${run}.${f.count} === ${cell} && ` +
    `${run}.${f.site} === ${site} && ${run}.${f.write} === ${write} && ${run}.${f.count} < ${MAX_RUN}`
  );
}

// A compiled function is optimised and inlined like any other; compiling the expression is what keeps the
// rule in one place.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const canExtendRun = new Function('run', 'cells', 'cell', 'site', 'write', `return ${runExtendsCode('run', 'cells', 'cell', 'site', 'write')};`) as (
  run: RunFields,
  cells: Int32Array,
  cell: number,
  site: number,
  write: boolean,
) => boolean;

/** A typed array, as the runtime's entries take one. */
export interface TypedArrayLike extends ArrayBufferView {
  readonly length: number;
  readonly BYTES_PER_ELEMENT: number;
}

export type Indexable = Record<PropertyKey, unknown>;

/** The Atomics stand-ins: each performs the operation and records it; the site comes after the arguments. */
export interface AtomicsEntries {
  load(view: TypedArrayLike, index: number, site: number): number | bigint;
  store(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  add(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  sub(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  and(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  or(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  xor(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  exchange(view: TypedArrayLike, index: number, value: unknown, site: number): number | bigint;
  compareExchange(view: TypedArrayLike, index: number, expected: unknown, replacement: unknown, site: number): number | bigint;
  wait(view: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout: number | undefined, site: number): string;
  waitAsync(view: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout: number | undefined, site: number): unknown;
  notify(view: Int32Array | BigInt64Array, index: number, count: number | undefined, site: number): number;
}

/** How many arguments each Atomics operation takes at most: the site goes after the last of them. */
export const ATOMICS_ARITY: { readonly [K in keyof AtomicsEntries]: number } = {
  load: 2,
  store: 3,
  add: 3,
  sub: 3,
  and: 3,
  or: 3,
  xor: 3,
  exchange: 3,
  compareExchange: 4,
  wait: 4,
  waitAsync: 4,
  notify: 3,
};

/** The event-loop entries (present when the run follows async tasks). */
export interface AsyncEntries {
  /** An async function's body begins: its task. */
  enter(site: number): number;
  exit(task: number): void;
  /** `await value` in `task`: announced, then awaited as written. */
  s(value: unknown, task: number, site: number): Promise<unknown>;
  /** A store of shared state is about to happen; returns `value`. */
  w(value: unknown, object: unknown, key: number, site: number, readSegment?: number, readSite?: number, awaitSite?: number): unknown;
  /** The running segment (a read slot keeps the segment its read was made in). */
  readonly seg: Int32Array;
  /** Property names as ids. */
  names(names: readonly string[]): number[];
  /** A new binding of a function's variable. */
  binding(): number;
  /** Wraps async-mutex's Semaphore class (library patches call it). */
  asyncMutex(semaphore: unknown): unknown;
}

/** Every entry the generated code may call or read, under the names it uses. */
export interface InstrumentRuntime {
  /** Defines a module's call sites; returns the first id. */
  sites(encoded: readonly string[]): number;
  /** The symbol under which a view's verdict is cached: its ShadowFields, or null when not shared. */
  readonly shadow: symbol;
  /** The thread's synchronisation epoch, element 0. */
  readonly epoch: Int32Array;
  /** The run the last recorded access went to. */
  readonly hot: { run: RunFields };
  /** The symbol under which a DataView's verdict is cached. */
  readonly dataView: symbol;
  dv(view: DataView, known: unknown, offset: unknown, width: number, write: number, site: number): void;
  bulk(view: TypedArrayLike, known: unknown, method: string, result: unknown, site: number, a0: unknown, a1: unknown, a2: unknown): void;
  spread(value: unknown, site: number): unknown;
  iterate(value: unknown, site: number): unknown;
  r(target: Indexable, key: PropertyKey, site: number): unknown;
  w(target: Indexable, key: PropertyKey, value: unknown, site: number): unknown;
  u(target: Indexable, key: PropertyKey, operator: string, operand: unknown, site: number): unknown;
  p(target: Indexable, key: PropertyKey, delta: number, prefix: number, site: number): unknown;
  readonly atomics: AtomicsEntries;
  readonly async: AsyncEntries | undefined;
}

type EntryNames<T> = { readonly [K in keyof T]-?: K };
/** The runtime entries, as generated code names them (`${PROLOGUE.runtime}.${ENTRY.read}`). */
export const ENTRY: EntryNames<InstrumentRuntime> = {
  sites: 'sites',
  shadow: 'shadow',
  epoch: 'epoch',
  hot: 'hot',
  dataView: 'dataView',
  dv: 'dv',
  bulk: 'bulk',
  spread: 'spread',
  iterate: 'iterate',
  r: 'r',
  w: 'w',
  u: 'u',
  p: 'p',
  atomics: 'atomics',
  async: 'async',
};
export const ASYNC_ENTRY: EntryNames<AsyncEntries> = {
  enter: 'enter',
  exit: 'exit',
  s: 's',
  w: 'w',
  seg: 'seg',
  names: 'names',
  binding: 'binding',
  asyncMutex: 'asyncMutex',
};

/**
 * Environment-data keys between a traced Worker's constructor and the worker's runtime: its identity in the
 * run (spawn) and, for bootstraps, what to load (boot).
 */
export const WORKER_KEY = { spawn: ENVIRONMENT_DATA.spawn, boot: ENVIRONMENT_DATA.boot } as const;
