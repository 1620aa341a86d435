/** Running programs under the traced session, and reading what they left. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceReader, type TraceEvent } from '../../src/tracer/trace-reader.js';

export const preload = fileURLToPath(new URL('../../dist/session/preload.js', import.meta.url));

export function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'racecheck-')), name);
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `program` with tracing into `tracePath`; `onStdout` may act on output (send a signal, …). */
export function runTraced(
  program: string,
  args: string[],
  tracePath: string,
  onStdout?: (text: string, pid: number) => void,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, program, ...args], {
      env: { ...process.env, RACECHECK_TRACE: tracePath, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child.pid!);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function readAll(path: string): { reader: TraceReader; events: TraceEvent[] } {
  const reader = new TraceReader(path);
  return { reader, events: [...reader.events()] };
}
