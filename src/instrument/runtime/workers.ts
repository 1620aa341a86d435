/**
 * Workers as happens-before edges — the spawn (what the parent did before `new Worker` happens before the
 * worker starts) and the exit (what the worker did happens before its 'exit' listeners and a resolved
 * `terminate()`) — and starting workers traced: racecheck's `--import`s in a worker given its own execArgv,
 * bootstraps for TypeScript entries and code given as a string, workerData in an envelope.
 */
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { Worker, type TransferListItem, type WorkerOptions } from 'node:worker_threads';
import { newIdentity } from '../../core/handles.js';
import { emit, nameThread, tracing } from '../../tracer/probe.js';
import { EventKind } from '../../tracer/schema.js';
import { WORKER_KEY } from '../abi.js';
import { instrumentWorkerCode, WORKER_EVAL_NAME } from '../load/instrument-module.js';
import { isToolingFile, type InstrumentScope } from '../load/scope.js';
import { envelope, isEnvelope, open, sendTraced, WORKER_DATA_MARK } from './messages.js';

const require = createRequire(import.meta.url);
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');

const SPAWN_KEY = WORKER_KEY.spawn;
const BOOT_KEY = WORKER_KEY.boot;
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
(async (boot) => {
  (await import(boot.tsx)).register();
  require(boot.tsxCommonJs).register();
  if (boot.preload) await import(boot.preload);
  await import(boot.entry);
})(require('node:worker_threads').getEnvironmentData(${JSON.stringify(BOOT_KEY)}));
`;

/**
 * What a worker given its code as a string (`eval: true`) starts with: racecheck's preload (`--import`
 * does not reach such a worker), then the code, instrumented, run the way Node runs it: a script in this
 * context, under Node's own name for it. The bootstrap declares nothing at the top level: the program's
 * script runs in the same global scope, and its own `const boot` or `const { getEnvironmentData }` would
 * clash with ours.
 */
const EVAL_BOOTSTRAP = `
(async (boot) => {
  await import(boot.preload);
  require('node:vm').runInThisContext(boot.code, { filename: boot.name });
})(require('node:worker_threads').getEnvironmentData(${JSON.stringify(BOOT_KEY)}));
`;

export function patchWorker(options: RuntimeOptions): void {
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
export function startWorker(): void {
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
