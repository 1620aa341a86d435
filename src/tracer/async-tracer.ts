/**
 * Follows the event loop: which async task runs, and what ordered it. Built on `async_hooks` (init, before,
 * after, promiseResolve — no destroy hook, the costly one), which reports promises, timers, I/O callbacks and
 * every other async resource with the resource that caused it:
 * - AsyncInit: a resource (width 1: a promise) was created in the running segment; `arg` its trigger (for a
 *   promise reaction, the promise it waits on);
 * - AsyncBefore: one of its callbacks runs (a segment: code that runs to completion, until the next); for
 *   an await's continuation (width 1) it also names the awaited promise (objectHi), and the await's own
 *   promise has no AsyncInit: it was made where its task last ran;
 * - PromiseResolve: a promise settled in the running segment (not recorded for a reaction's own promise,
 *   which settles as the reaction ends).
 * From these the analyzer builds the happens-before order between segments.
 *
 * Tasks: an async function call is a task of its own (instrumented code calls `enterTask` as it starts and
 * `suspendTask` at each await); a promise callback belongs to the task that registered it; any other
 * callback (a timer, an I/O event and the handlers it emits to) is a new task. Recording is synchronous and
 * never creates promises or timers of its own, so it cannot change what the program computes.
 */
import { createHook, executionAsyncId, executionAsyncResource, type AsyncHook } from 'node:async_hooks';
import { emitAt, tracing } from './probe.js';
import { EventKind } from './schema.js';

/**
 * The running segment's number in this thread: it changes whenever a callback starts or ends, so a read
 * remembered with it is known to be stale when the number differs at the write.
 */
export const asyncSegment = new Int32Array(1);

/** On a promise whose callback runs for a task (a reaction, an await's promise): that task. */
const TASK = Symbol('racecheck.task');
/** On a resource whose callbacks start tasks of their own (timers, I/O): the task that created it. */
const CREATOR = Symbol('racecheck.creator');

/** On an await's own promise: the await's site until it resumes, then 0 (its AsyncInit is folded into its AsyncBefore). */
const AWAIT = Symbol('racecheck.await');
/**
 * Node keeps each promise's asyncId and trigger on the promise itself while hooks are enabled, under
 * symbols of its own; racecheck reads them rather than adding properties of its own to every promise.
 */
let asyncIdSymbol: symbol | undefined;
let triggerIdSymbol: symbol | undefined;

type Resource = { [TASK]?: number; [CREATOR]?: number; [AWAIT]?: number; [key: symbol]: unknown };

/** The asyncId of a promise created while the tracer ran, or undefined. */
export function promiseId(value: unknown): number | undefined {
  if (!(value instanceof Promise) || !asyncIdSymbol) return undefined;
  const id = (value as unknown as Resource)[asyncIdSymbol];
  return typeof id === 'number' ? id : undefined;
}

function findNodeSymbols(): void {
  const symbols = Object.getOwnPropertySymbols(Promise.resolve());
  asyncIdSymbol = symbols.find((symbol) => symbol.description === 'async_id_symbol');
  triggerIdSymbol = symbols.find((symbol) => symbol.description === 'trigger_async_id_symbol');
}

let current = 0;
let nextTask = 1;
/** Tasks to go back to when a callback ends. */
const resumed: number[] = [];
/** Async calls still in their synchronous start, innermost last, and the tasks that called them. */
const starting: number[] = [];
const callers: number[] = [];
/** Set by `suspendTask` for the promise the await creates next (V8 creates exactly one). */
let awaitingTask = 0;
let awaitingSite = 0;
/**
 * Awaits' own promises, in the order made, for the ones whose continuation never ran: each is marked
 * (AWAIT set to 0) when it resumes, and the list is compacted now and then, which costs less than removing
 * each entry as it resumes.
 */
let awaits: Resource[] = [];
let compactAt = 4096;

export function currentTask(): number {
  return current;
}

/** An async function starts (instrumented code calls it first thing): a new task, called by the running one. */
export function enterTask(site: number): number {
  const task = nextTask++;
  if (tracing) emitAt(EventKind.AsyncTaskEnter, 0, task, current, 0, 0, site);
  callers.push(current);
  starting.push(task);
  current = task;
  return task;
}

/** The async function returned or threw: if it never awaited, its caller runs on. */
export function exitTask(task: number): void {
  if (starting[starting.length - 1] === task) {
    starting.pop();
    current = callers.pop() ?? 0;
  }
}

/**
 * The async function awaits `value`: the promise the await makes next carries the task (its continuation
 * runs for it) and the await's site; during its synchronous start, the caller runs on. `Promise.resolve`
 * is what `await` does to its operand anyway, so the program waits exactly as long as it would have.
 */
export function suspendTask(value: unknown, task: number, site: number): Promise<unknown> {
  // A primitive's promise is settled right here, so the await's continuation is ordered by its creation
  // alone and the promise need not be recorded. Objects are not probed for a `then` (a getter must run once,
  // as the await itself runs it): they are recorded.
  const primitive = value === null || (typeof value !== 'object' && typeof value !== 'function');
  quiet = primitive;
  const promise = Promise.resolve(value);
  quiet = false;
  awaitingTask = task;
  awaitingSite = site;
  if (starting[starting.length - 1] === task) {
    starting.pop();
    current = callers.pop() ?? 0;
  }
  return promise;
}

/** Awaits still waiting, for the report when the event loop runs dry. */
export function pendingAwaits(): [task: number, site: number][] {
  return awaits.filter((resource) => resource[AWAIT] !== 0).map((resource) => [resource[TASK] ?? 0, resource[AWAIT] ?? 0]);
}

function rememberAwait(resource: Resource): void {
  if (awaits.length >= compactAt) {
    awaits = awaits.filter((entry) => entry[AWAIT] !== 0);
    compactAt = Math.max(4096, 2 * awaits.length);
  }
  awaits.push(resource);
}

let hook: AsyncHook | undefined;
/** Set while making a promise that needs no events of its own. */
let quiet = false;

function init(asyncId: number, type: string, triggerAsyncId: number, resource: object): void {
  const promise = type === 'PROMISE';
  const target = resource as Resource;
  if (promise) {
    if (awaitingTask !== 0) {
      // An await's promise: made where its task runs now, and run (if ever) as that task's continuation,
      // which AsyncBefore describes in full.
      target[TASK] = awaitingTask;
      target[AWAIT] = awaitingSite;
      rememberAwait(target);
      awaitingTask = 0;
      return;
    }
    // A reaction (`then`) runs for the task that registered it; other promises never run callbacks.
    if (triggerAsyncId !== executionAsyncId()) target[TASK] = current;
  } else {
    // Node's own resource objects; one that is not extensible keeps no creator (its callbacks then count
    // as a task of the thread's own code), rather than an error thrown inside a hook, which ends the process.
    try {
      target[CREATOR] = current;
    } catch {
      // not extensible
    }
  }
  if (tracing && !quiet) emitAt(EventKind.AsyncInit, 0, asyncId, triggerAsyncId, promise ? 1 : 0, 0, 0);
}

function before(asyncId: number): void {
  resumed.push(current);
  const resource = executionAsyncResource() as Resource;
  const awaitSite = resource[AWAIT];
  if (awaitSite !== undefined) resource[AWAIT] = 0;
  let task = resource[TASK];
  if (task === undefined) {
    task = nextTask++;
    if (tracing) emitAt(EventKind.AsyncTaskEnter, 0, task, resource[CREATOR] ?? 0, 0, 0, 0);
  }
  current = task;
  asyncSegment[0]!++;
  if (tracing) {
    const awaited = awaitSite !== undefined && triggerIdSymbol ? (resource[triggerIdSymbol] as number) : undefined;
    emitAt(EventKind.AsyncBefore, awaited ?? 0, asyncId, task, awaited === undefined ? 0 : 1, 0, 0);
  }
}

/**
 * Not recorded: between a callback's end and the next one's start no program code runs (the event loop runs
 * microtasks after a callback's `after`), so the next AsyncBefore says everything. A callback run inside
 * another (AsyncResource.runInAsyncScope) makes the rest of the outer one count as the inner's: more
 * order than there was, so races can be missed there, never invented.
 */
function after(): void {
  current = resumed.pop() ?? 0;
  asyncSegment[0]!++;
}

function promiseResolve(asyncId: number): void {
  // A reaction's own promise settles as the reaction ends: the analyzer takes the reaction's run for it.
  // Half of all settlements (every await's), left out of the trace.
  if (tracing && !quiet && asyncId !== executionAsyncId()) emitAt(EventKind.PromiseResolve, 0, asyncId, 0, 0, 0, 0);
}

export class AsyncTracer {
  get running(): boolean {
    return hook !== undefined;
  }

  start(): void {
    if (hook) return;
    hook = createHook({ init, before, after, promiseResolve }).enable();
    findNodeSymbols();
  }

  stop(): void {
    hook?.disable();
    hook = undefined;
  }
}
