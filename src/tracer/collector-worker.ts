/**
 * Entry of the collector's worker thread: drains the ring into the trace file until the traced program
 * asks for the final flush (it ends, exits, crashes, or gets a signal), then writes the End chunk. An
 * observer module named by the session (the deadlock watchdog) may end the run instead: then the
 * collector writes the observer's findings and the End chunk, and kills the process — its threads may be
 * blocked forever, so nothing short of that ends it.
 */
import { workerData } from 'node:worker_threads';
import { MODULE_WORKER_KEY } from '../core/module-worker.js';
import { Collector, type CollectorObserver } from './collector.js';
import { RingControl } from './ring.js';
import { TraceFileWriter, type TraceMeta } from './trace-file.js';

export interface CollectorWorkerData {
  ring: SharedArrayBuffer;
  path: string;
  meta: TraceMeta;
  /** A module exporting `createObserver(options)`, and its options. */
  observer?: { module: string; options: unknown };
}

const { ring, path, meta, observer } = (workerData as Record<string, CollectorWorkerData>)[MODULE_WORKER_KEY]!;
const control = new Int32Array(ring, 0, RingControl.WORDS);
const writer = new TraceFileWriter(path, meta);
let watcher: CollectorObserver | undefined;
if (observer) {
  const module = (await import(observer.module)) as { createObserver(options: unknown): CollectorObserver };
  watcher = module.createObserver(observer.options);
}
const collector = new Collector(ring, writer, {}, watcher);
collector.run(() => Atomics.load(control, RingControl.FINAL) === 1);
collector.finish();
if (collector.verdict) process.kill(process.pid, 'SIGKILL');
