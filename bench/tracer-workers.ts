/** Producer threads for the tracer benchmarks. */
import { Barrier } from '../src/primitives/index.js';
import { RingWriter } from '../src/tracer/ring.js';
import { EventKind } from '../src/tracer/schema.js';

export function produceEvents(ring: SharedArrayBuffer, start: Barrier, count: number, done: Int32Array): void {
  const writer = new RingWriter(ring);
  start.wait();
  for (let i = 0; i < count; i++) writer.record(EventKind.MemoryWrite, 4, 1, 2, 0, i, false);
  Atomics.add(done, 0, 1);
  writer.flush(600_000);
}
