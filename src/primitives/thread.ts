/**
 * Thread: runs a function (or a subclass's `run()`) in a real worker thread, with Python's `threading.Thread`
 * shape — `start()`, `join(timeout)`, `isAlive()`, `name`, `ident`, `currentThread()`.
 *
 * Functions do not cross threads, so a worker finds its code by module and export name: the target function
 * (or the Thread subclass) must be exported by its module, which defaults to the module that called
 * `new Thread` (pass `module: import.meta.url` to name another). Like Python's multiprocessing "spawn", the
 * worker imports that module, so its top level runs again there: guard the program's start with
 * `if (isMainThread)`.
 *
 * A thread's progress lives in shared words (created, running, finished, failed) and its error in a shared
 * buffer, so any thread holding the handle can join it — blocking with `Atomics.wait` in a worker, or
 * `joinAsync()` on an event loop — and gets the thread's error as the `cause` of a ThreadFailedError.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { siblingModule, startModuleWorker } from '../core/module-worker.js';
import { deserialize, serialize } from 'node:v8';
import { threadId, Worker, type TransferListItem } from 'node:worker_threads';
import { InvalidArgumentError, ThreadFailedError, ThreadStateError, ThreadTargetError } from '../core/errors.js';
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { Tag, ThreadLayout, ThreadState } from './layout.js';
import {
  allocate,
  attach,
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  objectIdOf,
  registerReviver,
  toCloneable,
  type SharedDescriptor,
} from '../core/handles.js';
import { deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

const { STATE, IDENT, ERROR_LENGTH } = ThreadLayout;

export { MODULE_WORKER_KEY as THREAD_BOOT_KEY } from '../core/module-worker.js';

const MAX_ERROR_BYTES = 1024 * 1024;

export type ThreadTarget = ((...args: never[]) => unknown) | string;

export interface ThreadOptions {
  /** The function to run: an exported function, or the name it is exported under. */
  target?: ThreadTarget;
  /** The module exporting `target` (or the subclass); default: the module that called `new Thread`. */
  module?: string | URL;
  args?: unknown[];
  name?: string;
  /** A daemon thread does not keep the process alive. */
  daemon?: boolean;
  /** Objects in `args` to transfer rather than copy (MessagePorts, ArrayBuffers), as for `new Worker`. */
  transferList?: TransferListItem[];
}

/** What a worker needs to rebuild the Thread object and find its code. */
export interface ThreadBoot {
  control: SharedDescriptor;
  name: string;
  classModule: string;
  className: string;
  targetModule: string;
  targetName: string | undefined;
  args: unknown[];
  fields: Record<string, unknown>;
}

interface ThreadInternals {
  words: Int32Array;
  payload: SharedArrayBuffer;
  id: number;
  name: string;
  daemon: boolean;
  targetModule: string;
  targetName: string | undefined;
  classModule: string;
  args: unknown[];
  transferList: TransferListItem[];
  /** Resolved in the thread that runs it. */
  target?: (...args: unknown[]) => unknown;
  worker?: Worker;
}

const internals = new WeakMap<Thread, ThreadInternals>();
/** Set (as an own static) on racecheck's own Thread classes: the module a worker imports to find them. */
export const builtinModule = Symbol('racecheck.builtinModule');
let threadCounter = 0;
let current: Thread | undefined;

function state(thread: Thread): ThreadInternals {
  const found = internals.get(thread);
  if (!found) throw new ThreadStateError('Thread: this object was not set up by the Thread constructor');
  return found;
}

function toModuleUrl(file: string | URL): string {
  const text = String(file);
  // A URL already (file:, data:…), but not a Windows drive path (C:\…).
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) return text;
  return pathToFileURL(text).href;
}

const primitivesDir = new URL('.', import.meta.url).href;

/** The first module on the stack outside racecheck's primitives: whoever called `new Thread`. */
function callerModule(): string | undefined {
  const original = Error.prepareStackTrace;
  let files: (string | undefined)[] = [];
  try {
    Error.prepareStackTrace = (_error, sites) => sites.map((site) => site.getFileName() ?? undefined);
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerModule);
    files = holder.stack as (string | undefined)[];
  } finally {
    Error.prepareStackTrace = original;
  }
  for (const file of files) {
    if (!file || file.startsWith('node:')) continue;
    const url = toModuleUrl(file);
    if (!url.startsWith(primitivesDir)) return url;
  }
  return undefined;
}

function moduleExists(url: string): boolean {
  if (!url.startsWith('file:')) return true;
  return existsSync(fileURLToPath(url));
}

/**
 * An error as plain data. `v8.serialize` keeps an Error's message only when it has no extra properties,
 * so errors cross threads as records and are rebuilt, with their class name, message, stack and code.
 */
interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  value?: unknown;
}

function toErrorRecord(error: unknown): ErrorRecord {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error & { code?: unknown };
    const record: ErrorRecord = { name: String(e.name ?? 'Error'), message: String(e.message), stack: String(e.stack ?? '') };
    if (e.code !== undefined) record.code = e.code;
    return record;
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${String(error)}`, value: error };
}

function fromErrorRecord(record: ErrorRecord): Error {
  const error = new Error(record.message);
  error.name = record.name;
  if (record.stack) error.stack = record.stack;
  if (record.code !== undefined) (error as Error & { code?: unknown }).code = record.code;
  return error;
}

function readError(internal: ThreadInternals): Error {
  const length = Atomics.load(internal.words, ERROR_LENGTH);
  if (length === 0) return new Error('the thread failed without an error');
  return fromErrorRecord(deserialize(new Uint8Array(internal.payload).slice(0, length)) as ErrorRecord);
}

/** Stores `error` for joiners and marks the thread failed. Used by the worker and, as a backstop, the parent. */
export function recordFailure(thread: Thread, error: unknown): void {
  const internal = state(thread);
  if (Atomics.load(internal.words, STATE) >= ThreadState.FINISHED) return;
  const record = toErrorRecord(error);
  let bytes: Uint8Array;
  try {
    bytes = serialize(record);
  } catch {
    delete record.value;
    bytes = serialize(record);
  }
  if (bytes.length > MAX_ERROR_BYTES) {
    bytes = serialize({ ...record, message: `${record.message.slice(0, 4096)} (truncated)`, stack: undefined });
  }
  if (bytes.length > internal.payload.byteLength) internal.payload.grow(bytes.length);
  new Uint8Array(internal.payload).set(bytes);
  Atomics.store(internal.words, ERROR_LENGTH, bytes.length);
  finish(thread, ThreadState.FAILED);
}

export function finish(thread: Thread, outcome: typeof ThreadState.FINISHED | typeof ThreadState.FAILED): void {
  const internal = state(thread);
  if (Atomics.load(internal.words, STATE) >= ThreadState.FINISHED) return;
  if (tracing) emit(EventKind.ThreadExit, internal.id);
  Atomics.store(internal.words, STATE, outcome);
  Atomics.notify(internal.words, STATE);
}

export class Thread {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  static readonly [builtinModule]: string = import.meta.url;

  constructor(options: ThreadOptions | SharedDescriptor = {}) {
    if (HANDLE_KEY in options || 'buffer' in options) {
      const shared = options as SharedDescriptor;
      const words = attach(shared, Tag.Thread, ThreadLayout.WORDS, 'Thread');
      internals.set(this, {
        words,
        payload: shared['payload'] as SharedArrayBuffer,
        id: objectIdOf(words),
        name: String(shared['name']),
        daemon: false,
        targetModule: '',
        targetName: undefined,
        classModule: '',
        args: [],
        transferList: [],
      });
      exposeDescriptor(this, shared);
      return;
    }
    const opts = options as ThreadOptions;
    const { target, args = [], daemon = false } = opts;
    if (target !== undefined && typeof target !== 'function' && typeof target !== 'string') {
      throw new InvalidArgumentError('Thread: target must be an exported function or the name of one');
    }
    if (!Array.isArray(args)) throw new InvalidArgumentError('Thread: args must be an array');
    const targetName = typeof target === 'function' ? target.name : target;
    if (typeof target === 'function' && !targetName) {
      throw new InvalidArgumentError('Thread: target must be a named, exported function (an anonymous one cannot be found in the worker)');
    }
    const caller = opts.module !== undefined ? toModuleUrl(opts.module) : callerModule();
    const ownClass = Object.hasOwn(new.target, builtinModule);
    const classModule = ownClass ? (new.target as unknown as Record<symbol, string>)[builtinModule]! : caller;
    if (!classModule || (targetName !== undefined && !caller)) {
      throw new ThreadTargetError('Thread: cannot tell which module to load in the worker; pass { module: import.meta.url }');
    }
    const words = allocate(Tag.Thread, ThreadLayout.WORDS);
    const payload = new SharedArrayBuffer(0, { maxByteLength: MAX_ERROR_BYTES });
    const name = opts.name ?? `Thread-${++threadCounter}${targetName ? ` (${targetName})` : ''}`;
    internals.set(this, {
      words,
      payload,
      id: objectIdOf(words),
      name,
      daemon,
      targetModule: caller ?? classModule,
      targetName,
      classModule,
      args,
      transferList: opts.transferList ?? [],
    });
    exposeDescriptor(this, describe('Thread', words, { payload, name }));
    if (tracing) emit(EventKind.ObjectCreate, objectIdOf(words), ObjectType.Thread);
  }

  get objectId(): number {
    return state(this).id;
  }

  get name(): string {
    return state(this).name;
  }

  /** The worker's `threadId` once started (0 for the main thread), undefined before. */
  get ident(): number | undefined {
    const internal = state(this);
    return Atomics.load(internal.words, STATE) === ThreadState.CREATED ? undefined : Atomics.load(internal.words, IDENT);
  }

  get daemon(): boolean {
    return state(this).daemon;
  }

  /** True from `start()` until its function returns or throws. */
  isAlive(): boolean {
    const s = Atomics.load(state(this).words, STATE);
    return s === ThreadState.STARTED || s === ThreadState.RUNNING;
  }

  /** What the thread does; by default calls the target with the args. Override it in a subclass. */
  run(): unknown {
    const internal = state(this);
    return internal.target?.(...internal.args);
  }

  /** Starts the worker. A module that does not exist is reported here; a missing export, by `join`. */
  start(): void {
    const internal = state(this);
    if (Atomics.load(internal.words, STATE) !== ThreadState.CREATED || internal.worker) {
      throw new ThreadStateError(`Thread.start: thread '${internal.name}' can only be started once`);
    }
    for (const url of new Set([internal.classModule, internal.targetModule])) {
      if (!moduleExists(url)) throw new ThreadTargetError(`Thread.start: module not found: ${fileURLToPath(url)}`);
    }
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      if (key !== HANDLE_KEY) fields[key] = (this as unknown as Record<string, unknown>)[key];
    }
    const boot: ThreadBoot = {
      control: this[HANDLE_KEY],
      name: internal.name,
      classModule: internal.classModule,
      className: this.constructor.name,
      targetModule: internal.targetModule,
      targetName: internal.targetName,
      args: toCloneable(internal.args),
      fields: toCloneable(fields),
    };
    Atomics.store(internal.words, STATE, ThreadState.STARTED);
    let worker: Worker;
    try {
      worker = spawnWorker(boot, internal);
    } catch (error) {
      Atomics.store(internal.words, STATE, ThreadState.CREATED);
      throw new ThreadStateError(`Thread.start: cannot start '${internal.name}': ${(error as Error).message}`);
    }
    internal.worker = worker;
    Atomics.store(internal.words, IDENT, worker.threadId);
    if (tracing) emit(EventKind.ThreadSpawn, internal.id, worker.threadId, internal.daemon ? 1 : 0);
    if (internal.daemon) worker.unref();
    // A backstop for deaths the worker could not record itself (its event loop was torn down).
    worker.on('error', (error) => recordFailure(this, error));
    worker.on('exit', (code) => {
      recordFailure(this, new Error(`thread '${internal.name}' exited with code ${code} before its function returned`));
    });
  }

  #checkJoinable(where: string): ThreadInternals {
    const internal = state(this);
    if (Atomics.load(internal.words, STATE) === ThreadState.CREATED) {
      throw new ThreadStateError(`${where}: cannot join thread '${internal.name}' before it is started`);
    }
    if (current === this || (current === undefined && threadId !== 0 && Atomics.load(internal.words, IDENT) === threadId)) {
      throw new ThreadStateError(`${where}: thread '${internal.name}' cannot join itself`);
    }
    return internal;
  }

  #afterJoin(internal: ThreadInternals): boolean {
    const s = Atomics.load(internal.words, STATE);
    if (s < ThreadState.FINISHED) return false;
    if (tracing) emit(EventKind.ThreadJoin, internal.id);
    if (s === ThreadState.FAILED) {
      const cause = readError(internal);
      throw new ThreadFailedError(`thread '${internal.name}' failed: ${cause.name}: ${cause.message}`, { cause });
    }
    return true;
  }

  /**
   * Blocks until the thread ends or `timeout` ms pass; returns whether it ended. Throws ThreadFailedError
   * (with the thread's error as `cause`) if its function threw. On the main thread prefer `joinAsync`.
   */
  join(timeout?: number): boolean {
    const deadline = deadlineAfter(timeout, 'Thread.join');
    const internal = this.#checkJoinable('Thread.join');
    const blocked = Atomics.load(internal.words, STATE) < ThreadState.FINISHED;
    if (blocked && tracing) emit(EventKind.BlockBegin, internal.id, 0, timedFlag(deadline));
    for (;;) {
      const s = Atomics.load(internal.words, STATE);
      if (s >= ThreadState.FINISHED || !sleepSync(internal.words, STATE, s, deadline)) break;
    }
    if (blocked && tracing) emit(EventKind.BlockEnd, internal.id);
    return this.#afterJoin(internal);
  }

  async joinAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'Thread.joinAsync');
    const internal = this.#checkJoinable('Thread.joinAsync');
    const blocked = Atomics.load(internal.words, STATE) < ThreadState.FINISHED;
    if (blocked && tracing) emit(EventKind.BlockBegin, internal.id, 0, timedFlag(deadline));
    try {
      for (;;) {
        const s = Atomics.load(internal.words, STATE);
        if (s >= ThreadState.FINISHED || !(await sleepAsync(internal.words, STATE, s, deadline, options?.signal))) break;
      }
    } finally {
      if (blocked && tracing) emit(EventKind.BlockEnd, internal.id);
    }
    return this.#afterJoin(internal);
  }
}

/** Run in the worker if its entry cannot be loaded: records the error for whoever joins the thread. */
const RECORD_LOAD_FAILURE = `
  const words = new Int32Array(boot.control.buffer, boot.control.byteOffset, ${ThreadLayout.WORDS});
  if (Atomics.load(words, ${STATE}) < ${ThreadState.FINISHED}) {
    const e = error instanceof Error ? error : new Error(String(error));
    const bytes = require('node:v8').serialize({ name: String(e.name), message: String(e.message), stack: String(e.stack), code: e.code });
    if (bytes.length <= boot.payload.maxByteLength) {
      if (bytes.length > boot.payload.byteLength) boot.payload.grow(bytes.length);
      new Uint8Array(boot.payload).set(bytes);
      Atomics.store(words, ${ERROR_LENGTH}, bytes.length);
    }
    Atomics.store(words, ${STATE}, ${ThreadState.FAILED});
    Atomics.notify(words, ${STATE});
    return;
  }
`;

function spawnWorker(boot: ThreadBoot, internal: ThreadInternals): Worker {
  return startModuleWorker(siblingModule(import.meta.url, 'thread-entry'), {
    name: boot.name,
    alsoLoads: [boot.classModule, boot.targetModule],
    boot: { ...boot, payload: internal.payload },
    transferList: internal.transferList,
    onFailure: RECORD_LOAD_FAILURE,
  });
}

/** The Thread object of the calling thread (a stand-in for the main thread and for plain workers). */
export function currentThread(): Thread {
  if (!current) {
    current = new Thread({ name: threadId === 0 ? 'MainThread' : `Worker-${threadId}`, module: import.meta.url });
    const internal = state(current);
    Atomics.store(internal.words, IDENT, threadId);
    Atomics.store(internal.words, STATE, ThreadState.RUNNING);
  }
  return current;
}

/** Used by the worker entry: the rebuilt Thread object becomes this thread's `currentThread()`. */
export function adoptCurrentThread(thread: Thread, target: ((...args: unknown[]) => unknown) | undefined, args: unknown[]): void {
  const internal = state(thread);
  internal.target = target;
  internal.args = args;
  current = thread;
}

/** Rebuilds, in the worker, the Thread (or subclass) object the parent started, with its own fields. */
export function rebuildThread(cls: typeof Thread, boot: ThreadBoot): Thread {
  const thread = Object.create(cls.prototype) as Thread;
  const control = new Thread(boot.control);
  internals.set(thread, internals.get(control)!);
  exposeDescriptor(thread, control[HANDLE_KEY]);
  Object.assign(thread, boot.fields);
  return thread;
}

export function markRunning(thread: Thread): void {
  const internal = state(thread);
  Atomics.store(internal.words, IDENT, threadId);
  Atomics.store(internal.words, STATE, ThreadState.RUNNING);
  if (tracing) emit(EventKind.ThreadStart, internal.id);
}

registerReviver('Thread', (d) => new Thread(d));
