/**
 * Entry of the collector's worker thread: drains the ring into the trace file until the traced program
 * asks for the final flush (it ends, exits, crashes, or gets a signal), then writes the End chunk.
 */
import { workerData } from 'node:worker_threads';
import { MODULE_WORKER_KEY } from '../core/module-worker.js';
import { Collector } from './collector.js';
import { RingControl } from './ring.js';
import { TraceFileWriter, type TraceMeta } from './trace-file.js';

export interface CollectorWorkerData {
  ring: SharedArrayBuffer;
  path: string;
  meta: TraceMeta;
}

const { ring, path, meta } = (workerData as Record<string, CollectorWorkerData>)[MODULE_WORKER_KEY]!;
const control = new Int32Array(ring, 0, RingControl.WORDS);
const writer = new TraceFileWriter(path, meta);
const collector = new Collector(ring, writer);
collector.run(() => Atomics.load(control, RingControl.FINAL) === 1);
collector.finish();
