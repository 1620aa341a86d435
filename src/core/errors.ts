import { printable } from './text.js';

/**
 * Every error racecheck throws on purpose. Each class carries a stable `code` (`RACECHECK_*`) so callers
 * and tests can branch on it without parsing messages, and a message that says what was wrong and where.
 */
export class RacecheckError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad argument: negative or NaN timeout, non-integer count, wrong option type. */
export class InvalidArgumentError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_INVALID_ARGUMENT', message);
  }
}

/** `release()` of a Lock that is not locked. */
export class LockNotHeldError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_LOCK_NOT_HELD', message);
  }
}

/** An RLock released (or a Condition used) by a thread that does not own the lock. */
export class LockNotOwnedError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_LOCK_NOT_OWNED', message);
  }
}


/** A BoundedSemaphore released more times than it was acquired. */
export class SemaphoreOverReleaseError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_SEMAPHORE_OVER_RELEASE', message);
  }
}

/** A Barrier that was aborted, reset while threads waited, timed out, or whose action threw. */
export class BrokenBarrierError extends RacecheckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RACECHECK_BROKEN_BARRIER', message, options);
  }
}

/** `getNowait()` / a timed-out `get()` on an empty queue (Python's `queue.Empty`). */
export class QueueEmptyError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_QUEUE_EMPTY', message);
  }
}

/** `putNowait()` / a timed-out `put()` on a full queue (Python's `queue.Full`). */
export class QueueFullError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_QUEUE_FULL', message);
  }
}

/** A value that cannot be structured-cloned (a function, a class instance with native state, …). */
export class NotCloneableError extends RacecheckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RACECHECK_NOT_CLONEABLE', message, options);
  }
}

/** A queue or pipe item whose serialized form can never fit in the buffer. */
export class ItemTooLargeError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_ITEM_TOO_LARGE', message);
  }
}

/** `taskDone()` called more times than items were put. */
export class TaskDoneError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_TASK_DONE_TOO_OFTEN', message);
  }
}

/** `recv()` on a pipe whose other end is closed and drained, or `send()` on a closed connection. */
export class PipeClosedError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_PIPE_CLOSED', message);
  }
}

/** Misuse of a Thread: started twice, joined before start, joined by itself. */
export class ThreadStateError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_THREAD_STATE', message);
  }
}

/** The module or the exported function a Thread should run does not exist. */
export class ThreadTargetError extends RacecheckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RACECHECK_THREAD_TARGET', message, options);
  }
}

/** A thread's function threw (or its worker died); the original error is the `cause`. */
export class ThreadFailedError extends RacecheckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RACECHECK_THREAD_FAILED', message, options);
  }
}

/** A shared handle that does not describe a live primitive of the expected type. */
export class InvalidHandleError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_INVALID_HANDLE', message);
  }
}

/** `put()` on a queue that was shut down, or `get()` on one that is shut down and empty. */
export class QueueShutDownError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_QUEUE_SHUT_DOWN', message);
  }
}

/** A trace file that is not one, is damaged, or was written by a newer racecheck; names the byte offset. */
export class TraceFormatError extends RacecheckError {
  readonly offset: number;
  constructor(path: string, offset: number, problem: string) {
    super('RACECHECK_TRACE_FORMAT', `${path}: ${problem} (at byte offset ${offset})`);
    this.offset = offset;
  }
}

/** A file or folder racecheck cannot read or write. */
export class FileAccessError extends RacecheckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RACECHECK_FILE_ACCESS', message, options);
  }
}

/**
 * racecheck's own machinery failed inside the program's process (its preload, loader hooks or collector),
 * or that process ended before racecheck could start the program: nothing true can be said of the run.
 */
export class ProgramStartError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_PROGRAM_START', message);
  }
}

/** racecheck runs on a Node.js it does not support. */
export class UnsupportedNodeError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_UNSUPPORTED_NODE', message);
  }
}

/** Arguments the command line does not accept (an unknown option, a bad choice, a missing entry name). */
export class UsageError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_USAGE', message);
  }
}

/** The one line a tool error is told in: `racecheck: error RACECHECK_<CODE>: <message>`. */
export function errorLine(error: unknown): string {
  const code = error instanceof RacecheckError ? error.code : 'RACECHECK_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  // yargs puts the details of a bad choice on the lines after "Invalid values:": keep them, on one line.
  const text = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  return `racecheck: error ${code}: ${printable(text)}`;
}
