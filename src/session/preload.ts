/**
 * Loaded with `node --import` into a program that racecheck runs. In the main thread it starts the traced
 * session described by RACECHECK_* environment variables; in workers (which inherit `--import`) loading the
 * probe is enough: it attaches to the ring the main thread published.
 */
import { isMainThread } from 'node:worker_threads';
import '../tracer/probe.js';
import { startSession } from './session.js';

export const TRACE_ENV = 'RACECHECK_TRACE';
export const LANE_RECORDS_ENV = 'RACECHECK_LANE_RECORDS';
export const LANES_ENV = 'RACECHECK_LANES';
export const DEADLOCK_GRACE_ENV = 'RACECHECK_DEADLOCK_GRACE_MS';
export const TIMEOUT_ENV = 'RACECHECK_TIMEOUT_MS';

function numberFromEnv(name: string): number | undefined {
  const text = process.env[name];
  return text === undefined || text === '' ? undefined : Number(text);
}

if (isMainThread) {
  const tracePath = process.env[TRACE_ENV];
  if (tracePath) {
    // Source maps let call sites point at the user's TypeScript rather than the code tsx generated.
    process.setSourceMapsEnabled(true);
    startSession({
      tracePath,
      ring: { laneRecords: numberFromEnv(LANE_RECORDS_ENV), lanes: numberFromEnv(LANES_ENV) },
      deadlockGraceMs: numberFromEnv(DEADLOCK_GRACE_ENV),
      timeoutMs: numberFromEnv(TIMEOUT_ENV),
      meta: { program: process.argv[1], args: process.argv.slice(2), pid: process.pid, cwd: process.cwd(), startTime: Date.now() },
    });
  }
}
