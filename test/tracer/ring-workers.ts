/** Producer threads for the ring tests: they write records straight into the ring, as the probe does. */
import { RingWriter } from '../../src/tracer/ring.js';
import { EventKind } from '../../src/tracer/schema.js';

/** Writes `count` memory events whose ARG counts up from 0, then flushes; bumps `done[0]` first. */
export function produce(ring: SharedArrayBuffer, producer: number, count: number, done: Int32Array): void {
  const writer = new RingWriter(ring);
  for (let i = 0; i < count; i++) writer.record(EventKind.MemoryWrite, 4, producer, producer, 0, i, false);
  Atomics.add(done, 0, 1);
  writer.flush(60_000);
}

/** Takes `count` synchronisation sequence numbers interleaved with another producer. */
export function produceSync(ring: SharedArrayBuffer, producer: number, count: number, done: Int32Array): void {
  const writer = new RingWriter(ring);
  for (let i = 0; i < count; i++) writer.record(EventKind.LockAcquired, 0, producer, producer, 0, i, true);
  Atomics.add(done, 0, 1);
  writer.flush(60_000);
}

/** Writes memory events, ARG counting up from 0, until `flags[1]` is set; sets `flags[0]` once it has begun. */
export function produceUntilStopped(ring: SharedArrayBuffer, producer: number, flags: Int32Array): void {
  const writer = new RingWriter(ring);
  for (let i = 0; Atomics.load(flags, 1) === 0; i++) {
    writer.record(EventKind.MemoryWrite, 4, producer, producer, 0, i, false);
    if (i === 1000) {
      Atomics.store(flags, 0, 1);
      writer.flush(0); // a request without waiting: the collector stops at it, while this thread writes on
    }
  }
}
