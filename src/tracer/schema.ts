/**
 * The event schema: the one place that names every kind of event racecheck records. Producers (the
 * primitives' probe, later the instrumentation and the async tracer), the ring buffer, trace files and the
 * analyzer all import these codes; nothing else may invent one.
 *
 * Codes are small integers so that a record can carry its kind in one word. Their values are part of the
 * trace file format: append new kinds, never renumber.
 */
export const EventKind = {
  ThreadSpawn: 1,
  ThreadStart: 2,
  ThreadExit: 3,
  ThreadJoin: 4,

  LockAttempt: 10,
  LockAcquired: 11,
  LockTryFailed: 12,
  LockRelease: 13,

  ConditionWaitBegin: 20,
  ConditionWaitEnd: 21,
  ConditionNotify: 22,

  EventSet: 30,
  EventClear: 31,
  EventWaitBegin: 32,
  EventWaitEnd: 33,

  SemaphoreAcquire: 40,
  SemaphoreRelease: 41,

  BarrierArrive: 50,
  BarrierLeave: 51,

  QueuePut: 60,
  QueueGet: 61,

  PipeSend: 70,
  PipeRecv: 71,

  MemoryRead: 80,
  MemoryWrite: 81,

  AtomicLoad: 90,
  AtomicStore: 91,
  AtomicReadModifyWrite: 92,
  AtomicWait: 93,
  AtomicNotify: 94,
} as const;

export type EventKind = (typeof EventKind)[keyof typeof EventKind];

const kindNames = new Map<number, string>(Object.entries(EventKind).map(([name, code]) => [code, name]));

/** The name of an event kind, or undefined for a code this version does not know. */
export function eventKindName(code: number): string | undefined {
  return kindNames.get(code);
}
