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
