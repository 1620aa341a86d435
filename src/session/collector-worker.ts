/**
 * Entry of the collector's worker thread: drains the ring into the trace file until the traced program
 * asks for the final flush (it ends, exits, crashes, or gets a signal), then writes the End chunk. The
 * deadlock watchdog, unless the session turned it off, may end the run instead: then the collector writes
 * its findings and the End chunk, and kills the process — its threads may be blocked forever, so nothing
 * short of that ends it. It lives in session/ because it joins the recorder (tracer/) and the watchdog
 * (analyzer/), imported as modules, not named by URL.
 */
import { workerData } from 'node:worker_threads';
import { MODULE_WORKER_KEY } from '../core/module-worker.js';
import type { WatchdogOptions } from '../analyzer/watchdog.js';
import { Collector, type CollectorObserver } from '../tracer/collector.js';
import { RingControl } from '../tracer/ring.js';
import { TraceFileWriter, type TraceMeta } from '../tracer/trace-file.js';

export interface CollectorWorkerData {
  ring: SharedArrayBuffer;
  path: string;
  meta: TraceMeta;
  /** The deadlock watchdog's options; absent, no watchdog (a test runner's own timeout fails a test). */
  watchdog?: WatchdogOptions;
}

const { ring, path, meta, watchdog } = (workerData as Record<string, CollectorWorkerData>)[MODULE_WORKER_KEY]!;
const control = new Int32Array(ring, 0, RingControl.WORDS);
const writer = new TraceFileWriter(path, meta);
// Loaded only when wanted: most of the analyzer's start-up is not needed by a test runner's collector.
const watcher: CollectorObserver | undefined = watchdog ? (await import('../analyzer/watchdog.js')).createObserver(watchdog) : undefined;
const collector = new Collector(ring, writer, {}, watcher);
collector.run(() => Atomics.load(control, RingControl.FINAL) === 1);
collector.finish();
if (collector.verdict) process.kill(process.pid, 'SIGKILL');
