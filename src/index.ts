/** racecheck: race and deadlock detection for TypeScript and Node.js concurrency. */
export * from './primitives/index.js';
export { EventKind, eventKindName } from './tracer/schema.js';
export { startTracing, stopTracing, type EventRecorder } from './tracer/probe.js';
export { AsyncTracer } from './tracer/async-tracer.js';
