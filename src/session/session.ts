/**
 * One traced run, from inside the traced process: allocate the ring, hand it to every worker through
 * environment data, start the collector on its own thread, trace the main thread, and make sure the trace
 * is flushed and ended however the program ends — returning, throwing, `process.exit`, SIGINT or SIGTERM.
 * The CLI and the vitest plugin both start runs through here so that they cannot diverge.
 */
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread, setEnvironmentData, threadId, type Worker } from 'node:worker_threads';
import { FileAccessError } from '../core/errors.js';
import { siblingModule, startModuleWorker } from '../core/module-worker.js';
import { attachRing, RING_ENVIRONMENT_KEY, ringWriter, settle } from '../tracer/probe.js';
import { createRing, recordsWritten, type RingOptions } from '../tracer/ring.js';
import type { TraceMeta } from '../tracer/trace-file.js';
import type { CollectorWorkerData } from './collector-worker.js';
import { tellFailure } from '../core/program-status.js';

export interface SessionOptions {
  /** Where the trace file goes. */
  tracePath: string;
  /** End the run when a deadlock has lasted this long, in ms (default 2000). */
  deadlockGraceMs?: number;
  /** End the run after this many ms, keeping what was traced. */
  timeoutMs?: number;
  /**
   * Run the deadlock watchdog, which ends a deadlocked process (default true). A test runner turns it off:
   * its own test timeout fails the test, and the process must live on for the other tests.
   */
  watchdog?: boolean;
  ring?: RingOptions;
  meta?: TraceMeta;
  /** Longest wait for the collector's final flush, in ms. */
  flushTimeout?: number;
}

export interface Session {
  ring: SharedArrayBuffer;
  collector: Worker;
  /** Drains and ends the trace (idempotent). */
  end(): void;
}

let active: Session | undefined;

/** Fails early, with one clear line, when the trace file cannot be created. */
export function checkWritable(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK);
    // Never through a symlink at the last component: it could point at any file of the user's.
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  } catch (error) {
    throw new FileAccessError(`cannot write the trace file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Drains everything traced so far into the trace file (a test runner reads it between tests). */
export function flushSession(): void {
  settle();
  ringWriter()?.flush();
}

/** How many records all threads have written so far in this session (0 without one). */
export function sessionRecords(): number {
  return active ? recordsWritten(active.ring) : 0;
}

export function startSession(options: SessionOptions): Session {
  if (active) return active;
  checkWritable(options.tracePath);
  const ring = createRing(options.ring);
  setEnvironmentData(RING_ENVIRONMENT_KEY, ring);
  const boot: CollectorWorkerData = {
    ring,
    path: options.tracePath,
    meta: options.meta ?? {},
    ...(options.watchdog === false ? {} : { watchdog: { graceMs: options.deadlockGraceMs ?? 2000, timeoutMs: options.timeoutMs, cwd: process.cwd() } }),
  };
  const collector = startModuleWorker(siblingModule(import.meta.url, './collector-worker'), { name: 'racecheck collector', boot: { ...boot } });
  // The collector must never keep the program alive; the final flush waits for it explicitly.
  collector.unref();
  collector.on('error', (error: Error) => tellFailure('RACECHECK_COLLECTOR', `racecheck's trace collector failed: ${error.message}`));
  attachRing(ring, isMainThread ? 'main' : `worker ${threadId}`);
  let ended = false;
  // A session started in a worker (a test file's) ends when that worker exits, a program's when it does.
  const end = (): void => {
    if (ended) return;
    ended = true;
    settle();
    ringWriter()?.flush(options.flushTimeout ?? 10_000, true);
  };
  const session: Session = { ring, collector, end };
  active = session;
  process.on('exit', end);
  // Signals reach only the main thread.
  for (const signal of isMainThread ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : []) {
    const onSignal = (): void => {
      end();
      // Die of the signal as the program would have, unless it listens for the signal itself.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
  return session;
}
