/**
 * The event-loop half of the instrumentation runtime: what instrumented async code calls (tasks, awaits,
 * writes of state that tasks share), async-mutex's locks, and the report of what still waits when the
 * event loop runs dry. The event-loop order itself comes from the async tracer.
 */
import { newIdentity } from '../../core/handles.js';
import { asyncSegment, AsyncTracer, currentTask, enterTask, exitTask, pendingAwaits, promiseId, suspendTask } from '../../tracer/async-tracer.js';
import { callSite, defineSites, emitAt, tracing } from '../../tracer/probe.js';
import { EventKind, ObjectType } from '../../tracer/schema.js';
import type { AsyncEntries } from '../abi.js';

// ——— Shared state ———

const objectIds = new WeakMap<object, number>();
let nextObject = 1;

function objectId(object: object): number {
  let id = objectIds.get(object);
  if (id === undefined) {
    id = nextObject++;
    objectIds.set(object, id);
  }
  return id;
}

/** Property names as site ids (a site whose function name is the property): reports can name them. */
const nameIds = new Map<string, number>();

function propertyNames(names: readonly string[]): number[] {
  return names.map((name) => {
    let id = nameIds.get(name);
    if (id === undefined) {
      id = defineSites([`\n0\n0\n${name}`]);
      nameIds.set(name, id);
    }
    return id;
  });
}

/** A new binding of a function's variable (one per call that declares it): a state identity of its own. */
function newBinding(): number {
  return nextObject++;
}

/**
 * Instrumented code is about to store `value` into shared state: a variable (`key` the site of its
 * declaration; `object` 0 for a module-level one, else the binding's identity) or a property (`key` a name
 * id) of `object`. With a read slot: the value was computed
 * from a read of the same state made in segment `readSegment`; if that segment has ended since, the read
 * is stale, and the write is recorded as such. Returns `value`, so that the store happens as written.
 */
function stateWrite(value: unknown, object: unknown, key: number, site: number, readSegment?: number, readSite?: number, awaitSite?: number): unknown {
  if (!tracing) return value;
  let hi: number;
  if (typeof object === 'number') hi = object;
  else if (object !== null && (typeof object === 'object' || typeof object === 'function')) hi = objectId(object);
  else return value;
  if (readSegment !== undefined && readSegment !== asyncSegment[0]) emitAt(EventKind.StaleRead, hi, key, awaitSite ?? 0, 0, 0, readSite ?? 0);
  emitAt(EventKind.StateWrite, hi, key, currentTask(), 0, 0, site);
  return value;
}

// ——— async-mutex ———

interface SemaphoreLike {
  _value: number;
  acquire(weight?: number, priority?: number): Promise<unknown>;
  release(weight?: number): void;
  _dispatchItem?: unknown;
}

const lockIds = new WeakMap<object, [hi: number, lo: number]>();

/** The lock's identity; made (and its creation recorded at `site`) the first time racecheck sees it. */
function lockOf(semaphore: SemaphoreLike, site: number): [number, number] {
  let id = lockIds.get(semaphore);
  if (!id) {
    id = newIdentity();
    lockIds.set(semaphore, id);
    // A Mutex is a Semaphore of one permit inside; a semaphore of one permit is a mutex too.
    const type = semaphore._value <= 1 ? ObjectType.AsyncMutex : ObjectType.AsyncSemaphore;
    if (tracing) emitAt(EventKind.ObjectCreate, id[0], id[1], type, 0, 0, site);
  }
  return id;
}

const patched = new WeakSet<object>();

/**
 * async-mutex (0.4–0.5): every Mutex operation goes through its Semaphore, so the Semaphore's acquire and
 * release are the lock's. A grant is recorded when the acquire promise settles, before the holder's code
 * runs; a rejected request (cancelled) is recorded as withdrawn. The library's own promises already order
 * a release before the grant it leads to; these events name the locks and who holds them.
 */
function patchAsyncMutex(target: unknown): unknown {
  if (typeof target !== 'function' || patched.has(target)) return target;
  const prototype = (target as { prototype: SemaphoreLike }).prototype;
  if (typeof prototype._dispatchItem !== 'function') return target;
  patched.add(target);
  // The library's module replaces its Semaphore with this subclass, which records where each lock is made
  // (a Mutex makes its Semaphore in its constructor: the user's `new Mutex()` is the first frame outside).
  const Base = target as new (...args: unknown[]) => SemaphoreLike;
  const Traced = class Semaphore extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      if (tracing) lockOf(this, callSite(undefined, 8));
    }
  };
  patched.add(Traced);
  const acquire = prototype.acquire;
  const release = prototype.release;
  prototype.acquire = function acquireTraced(this: SemaphoreLike, weight?: number, priority?: number) {
    if (!tracing) return acquire.call(this, weight, priority);
    // The user's call is under async-mutex's own frames (runExclusive, its generator helpers).
    const site = callSite(undefined, 16);
    const [hi, lo] = lockOf(this, site);
    const task = currentTask();
    emitAt(EventKind.AsyncLockRequest, hi, lo, task, 0, 0, site);
    const promise = acquire.call(this, weight, priority);
    promise.then(
      () => tracing && emitAt(EventKind.AsyncLockGranted, hi, lo, task, 0, 0, site),
      () => tracing && emitAt(EventKind.AsyncLockGranted, hi, lo, task, 1, 0, site),
    );
    return promise;
  };
  prototype.release = function releaseTraced(this: SemaphoreLike, weight?: number) {
    const id = lockIds.get(this);
    if (tracing && id) emitAt(EventKind.AsyncLockRelease, id[0], id[1], currentTask(), 0, 0, 0);
    return release.call(this, weight);
  };
  return Traced;
}

// ——— Promise combinators ———

/**
 * Promise.all and allSettled settle in the reaction to their last input, but only after every input did:
 * the order runs through the combinator's internal counter. Each input is joined to the result.
 */
function patchCombinators(): void {
  for (const name of ['all', 'allSettled'] as const) {
    const original = Promise[name] as (this: PromiseConstructor, values: Iterable<unknown>) => Promise<unknown>;
    const combinator = {
      [name](this: PromiseConstructor, values: Iterable<unknown>): Promise<unknown> {
        if (!tracing || values === null || typeof values !== 'object' || !(Symbol.iterator in values)) return original.call(this, values);
        let items: unknown[];
        try {
          items = Array.from(values);
        } catch (error) {
          // As the combinator itself does when iterating throws: a rejected promise, not an exception.
          return Promise.reject.call(this, error) as Promise<unknown>;
        }
        const result = original.call(this, items);
        const id = promiseId(result);
        if (id !== undefined) {
          for (const item of items) {
            const input = promiseId(item);
            if (input !== undefined) emitAt(EventKind.AsyncJoin, 0, id, input, 0, 0, 0);
          }
        }
        return result;
      },
    }[name]!;
    Object.defineProperty(Promise, name, { value: combinator, writable: true, configurable: true, enumerable: false });
  }
}

// ——— The end of the event loop ———

function reportWaiting(): void {
  if (!tracing) return;
  emitAt(EventKind.AsyncDrained, 0, 0, 0, 0, 0, 0);
  for (const [task, site] of pendingAwaits()) emitAt(EventKind.AsyncPending, 0, task, task, 0, 0, site);
}

/** What the module prologue finds under `async` on the runtime global. */

const tracer = new AsyncTracer();

/** Starts following the event loop in this thread; returns the functions instrumented code calls. */
export function installAsyncRuntime(): AsyncEntries {
  tracer.start();
  patchCombinators();
  // 'beforeExit' comes only when the event loop has nothing left to do (not on process.exit or a signal).
  process.on('beforeExit', reportWaiting);
  return Object.freeze({
    enter: enterTask,
    exit: exitTask,
    s: suspendTask,
    w: stateWrite,
    seg: asyncSegment,
    names: propertyNames,
    binding: newBinding,
    asyncMutex: patchAsyncMutex,
  });
}
