/**
 * A traced session inside the current process (what the vitest plugin runs in each test file's worker):
 * start it, flush it, and ask how much it has recorded.
 */
export { flushSession, sessionRecords, startSession, type Session, type SessionOptions } from '../session/session.js';
