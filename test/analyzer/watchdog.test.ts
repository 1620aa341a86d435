/**
 * The deadlock watchdog fed real ring records, as the collector feeds it: what it must end as a deadlock,
 * and what it must leave alone.
 */
import { describe, expect, it } from 'vitest';
import { createObserver } from '../../src/analyzer/watchdog.js';
import { RingReader } from '../../src/tracer/ring-reader.js';
import { createRing, RingWriter } from '../../src/tracer/ring.js';
import { AcquireMode, EventKind } from '../../src/tracer/schema.js';

const GRACE = 100;

/** Records written by this thread (one lane), handed to a fresh watchdog. */
function watch(write: (writer: RingWriter) => void) {
  const ring = createRing({ lanes: 2, laneRecords: 256 });
  const writer = new RingWriter(ring);
  write(writer);
  const watchdog = createObserver({ graceMs: GRACE, cwd: '/' });
  new RingReader(ring).drain((lane, records) => watchdog.records(lane, records));
  return watchdog;
}

/** The verdict once the grace period has passed (the watchdog checks on every drain and wake-up). */
function verdictAfterGrace(watchdog: ReturnType<typeof createObserver>) {
  const start = Date.now();
  watchdog.check(start);
  return watchdog.check(start + GRACE * 3);
}

describe('the deadlock watchdog', () => {
  it('a thread that ended is no deadlock, however long the run goes on', () => {
    const watchdog = watch((writer) => {
      writer.record(EventKind.ObjectCreate, 0, 0, 7, 0, 1, true);
      writer.detach();
    });
    expect(verdictAfterGrace(watchdog)).toBeUndefined();
  });

  it('a thread blocked acquiring a lock it holds itself is a deadlock of one', () => {
    const watchdog = watch((writer) => {
      writer.record(EventKind.LockAttempt, 0, 0, 7, 0, AcquireMode.Blocking, true);
      writer.record(EventKind.LockAcquired, 0, 0, 7, 0, AcquireMode.Blocking, true);
      writer.record(EventKind.LockAttempt, 0, 0, 7, 0, AcquireMode.Blocking, true);
    });
    const verdict = verdictAfterGrace(watchdog);
    expect(verdict?.endedBy).toBe('deadlock');
    expect(verdict?.findings[0]?.message).toContain('which it holds itself');
  });

  it('a timed acquisition of a lock it holds is no deadlock (it gives up)', () => {
    const watchdog = watch((writer) => {
      writer.record(EventKind.LockAttempt, 0, 0, 7, 0, AcquireMode.Blocking, true);
      writer.record(EventKind.LockAcquired, 0, 0, 7, 0, AcquireMode.Blocking, true);
      writer.record(EventKind.LockAttempt, 0, 0, 7, 0, AcquireMode.Timed, true);
    });
    expect(verdictAfterGrace(watchdog)).toBeUndefined();
  });
});
