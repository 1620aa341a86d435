/**
 * The collector: drains the ring continuously into a sink (a trace file, or a counter in benchmarks),
 * answers flush requests, and ends the trace when the traced program ends. It runs on its own thread so
 * that the program's threads only ever write into memory.
 */
import type { Finding } from '../core/findings.js';
import { RingControl } from './ring.js';
import { RingReader } from './ring-reader.js';
import type { TraceEnd } from './trace-file.js';

export interface CollectorSink {
  laneRecords(lane: number, records: Uint8Array): void;
  /** Makes everything received so far durable (written to the file). */
  flush(): void;
  end(end: TraceEnd): void;
  /** Findings made during the run (optional: benchmarks' sinks drop them). */
  findings?(findings: readonly Finding[]): void;
}

/**
 * Something that watches the records as they are drained (the deadlock watchdog). `check` runs after each
 * drain and on every idle wake-up; returning a verdict ends the run.
 */
export interface CollectorObserver {
  records(lane: number, records: Uint8Array): void;
  check(now: number): { endedBy: string; findings: Finding[] } | undefined;
}

export interface CollectorOptions {
  /** How long to sleep when the ring is empty, in ms (producers ring the doorbell to cut it short). */
  idleSleep?: number;
  /** Longest time received records stay only in memory, in ms. */
  flushInterval?: number;
}

export class Collector {
  readonly #reader: RingReader;
  readonly #sink: CollectorSink;
  readonly #control: Int32Array;
  readonly #idleSleep: number;
  readonly #flushInterval: number;
  readonly #observer: CollectorObserver | undefined;
  #flushedRequests = 0;
  /** Set when an observer ended the run. */
  verdict: { endedBy: string; findings: Finding[] } | undefined;

  constructor(ring: SharedArrayBuffer, sink: CollectorSink, options: CollectorOptions = {}, observer?: CollectorObserver) {
    this.#reader = new RingReader(ring);
    this.#sink = sink;
    this.#observer = observer;
    this.#control = new Int32Array(ring, 0, RingControl.WORDS);
    this.#idleSleep = options.idleSleep ?? 5;
    this.#flushInterval = options.flushInterval ?? 50;
  }

  get drained(): readonly number[] {
    return this.#reader.drained;
  }

  /** Drains what is there now into the sink; returns how many records moved. */
  drainOnce(): number {
    const observer = this.#observer;
    return this.#reader.drain((lane, records) => {
      this.#sink.laneRecords(lane, records);
      observer?.records(lane, records);
    });
  }

  /**
   * Runs until `shouldStop()` says so after a flush: drains, keeps the sink no more than `flushInterval`
   * ms behind, and completes each flush request by draining and writing everything first.
   */
  run(shouldStop: () => boolean): void {
    let lastFlush = performance.now();
    for (;;) {
      const moved = this.drainOnce();
      const requests = this.#reader.flushRequests();
      if (requests !== this.#flushedRequests) {
        this.drainOnce();
        this.#sink.flush();
        lastFlush = performance.now();
        this.#flushedRequests = requests;
        if (shouldStop()) return;
        this.#reader.flushed(requests);
        continue;
      }
      if (performance.now() - lastFlush >= this.#flushInterval) {
        this.#sink.flush();
        lastFlush = performance.now();
      }
      const verdict = this.#observer?.check(Date.now());
      if (verdict) {
        this.verdict = verdict;
        return;
      }
      if (moved === 0) this.#reader.sleep(this.#idleSleep);
    }
  }

  /** Drains the rest, writes the end of the trace, and releases every waiting flusher. */
  finish(extra: Record<string, unknown> = {}): void {
    this.drainOnce();
    if (this.verdict) this.#sink.findings?.(this.verdict.findings);
    const endedBy = this.verdict ? { endedBy: this.verdict.endedBy } : {};
    const reader = this.#reader;
    const running = reader.runningThreads();
    const runningAtEnd = running.length > 0 ? { runningAtEnd: running } : {};
    this.#sink.end({ drained: [...reader.drained], written: [...reader.drainedUpTo], ...runningAtEnd, ...endedBy, ...extra });
    this.#reader.stopped();
    Atomics.store(this.#control, RingControl.FLUSH_DONE, this.#reader.flushRequests());
    Atomics.notify(this.#control, RingControl.FLUSH_DONE);
  }
}
