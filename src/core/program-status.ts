/**
 * How the program's process tells `racecheck run` about racecheck's own machinery in it, on a pipe of its
 * own (never the program's stdout or stderr): `ready` once the preload has started the traced session and
 * the loader hooks, just before the program runs; `failed <CODE> <message>` when racecheck's code in it
 * failed. A process that ends without `ready` never ran the program: a tool error, not a clean run.
 */
import { writeSync } from 'node:fs';

import { RUN_ENVIRONMENT, STATUS_FD } from './run-protocol.js';

export { STATUS_FD };
/** Names the descriptor in the program's environment. */
export const STATUS_ENV = RUN_ENVIRONMENT.statusFd;

export interface ProgramStatus {
  ready: boolean;
  failures: { code: string; message: string }[];
}

function statusFd(): number | undefined {
  const text = process.env[STATUS_ENV];
  return text ? Number(text) : undefined;
}

function tell(line: string): void {
  const fd = statusFd();
  if (fd === undefined) return;
  try {
    writeSync(fd, `${line.replace(/\n/g, ' ')}\n`);
  } catch {
    // racecheck is gone, or this process was not started by it: there is nobody to tell.
  }
}

export function tellReady(): void {
  tell('ready');
}

/** racecheck's own code failed in this process: `racecheck run` ends with a tool error naming it. */
export function tellFailure(code: string, message: string): void {
  tell(`failed ${code} ${message}`);
}

export function parseStatus(text: string): ProgramStatus {
  const status: ProgramStatus = { ready: false, failures: [] };
  for (const line of text.split('\n')) {
    if (line === 'ready') status.ready = true;
    const failed = /^failed (\S+) (.*)$/.exec(line);
    if (failed) status.failures.push({ code: failed[1]!, message: failed[2]! });
  }
  return status;
}
