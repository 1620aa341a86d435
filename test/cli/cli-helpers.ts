/** Running the built racecheck binary as a user would. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs racecheck (the built one, or `options.bin`: another installation of it) and collects what it printed. */
export function racecheck(args: string[], options: { input?: string; cwd?: string; env?: Record<string, string>; bin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    const child = spawn(process.execPath, [options.bin ?? bin, ...args], { cwd: options.cwd ?? root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export const program = (name: string): string => `test/cli/programs/${name}`;

interface EslintFile {
  messages: { ruleId: string | null; line: number }[];
}

/** The program's own output and the findings (rule:line, each once) of a `--format json` run's stdout. */
export function splitJsonRun(stdout: string): { programOutput: string; findings: string[] } {
  const start = stdout.lastIndexOf('\n[') + 1;
  const files = JSON.parse(stdout.slice(start)) as EslintFile[];
  // A message without a rule tells how the program ended (it exited non-zero): no finding.
  const findings = [...new Set(files.flatMap((file) => file.messages.filter((m) => m.ruleId !== null).map((m) => `${m.ruleId}:${m.line}`)))].sort();
  return { programOutput: stdout.slice(0, start), findings };
}

/** A program under plain node, for comparing its output with a traced run's. */
export function plainNode(path: string, args: string[] = []): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, code }));
  });
}

/** Fresh temporary directories for a test file, removed after each test (call once, at the top level). */
export function scratchDirectories(prefix: string): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
