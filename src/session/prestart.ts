/**
 * The protocol between `racecheck run` and a program process it started before it knew what to run
 * (api/prestart.ts): the process waits on a pipe for one line of JSON, its run.
 */
import { closeSync, readSync } from 'node:fs';

import { PRESTART_FD, RUN_ENVIRONMENT } from '../core/run-protocol.js';

export { PRESTART_FD };
/** Set in the early process's environment: 'hooks' (it sets instrumentation up first) or 'plain'. */
export const PRESTART_ENV = RUN_ENVIRONMENT.prestart;

/** What the early process is told: the environment the run adds, the program and its arguments. */
export interface PrestartOrder {
  env: Record<string, string>;
  entry: string;
  args: string[];
}

/** Waits (blocking) for the run; undefined when the CLI closed the pipe without one (it did not need us). */
export function readPrestartOrder(): PrestartOrder | undefined {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      let read: number;
      try {
        read = readSync(PRESTART_FD, buffer);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw error;
      }
      if (read === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, read)));
      if (buffer[read - 1] === 0x0a) break;
    }
  } catch {
    return undefined;
  } finally {
    try {
      closeSync(PRESTART_FD);
    } catch {
      // Already closed.
    }
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? (JSON.parse(text) as PrestartOrder) : undefined;
}
