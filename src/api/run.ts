/**
 * A traced run of a program, as `racecheck run <entry>` makes it: checks the entry, starts it under the
 * traced session (`node --import tsx --import <preload>`), passes stdin/stdout/stderr through untouched,
 * and waits for it however it ends; the trace is then analyzed (api/analyze.ts, loadAnalysis).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse } from 'acorn';
import type * as Esbuild from 'esbuild';
import { FileAccessError, InvalidArgumentError, ProgramStartError, RacecheckError } from '../core/errors.js';
import type { RunInfo } from '../core/findings.js';
import { checkWritable } from '../session/session.js';
import { TraceFormat } from '../tracer/schema.js';
import { STATUS_ENV, STATUS_FD, parseStatus, type ProgramStatus } from '../core/program-status.js';
import { encodeRunSettings } from '../core/run-protocol.js';
import { readRegularBytes } from '../core/safe-files.js';
import { startupImports, tsxCacheIsSafe, type PrestartedProgram } from './prestart.js';

const require = createRequire(import.meta.url);
const ENTRY_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs']);
/** TypeScript entries: tsx runs them. */
export const TYPESCRIPT_ENTRY = /\.(?:[mc]?ts|tsx)$/;

export class EntrySyntaxError extends RacecheckError {
  constructor(message: string) {
    super('RACECHECK_ENTRY_SYNTAX', message);
  }
}

/** Plain JavaScript that acorn parses needs nothing else (acorn is already part of racecheck's start). */
function parsesAsJavaScript(source: string, path: string): boolean {
  const extension = extname(path);
  if (!['.js', '.mjs', '.cjs'].includes(extension)) return false;
  const kinds: ('module' | 'script')[] = extension === '.mjs' ? ['module'] : extension === '.cjs' ? ['script'] : ['module', 'script'];
  return kinds.some((sourceType) => {
    try {
      parse(source, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: sourceType === 'script', allowAwaitOutsideFunction: sourceType === 'module' });
      return true;
    } catch {
      return false;
    }
  });
}

export function checkEntry(entry: string): string {
  const path = resolve(entry);
  if (!existsSync(path) || !statSync(path).isFile()) throw new FileAccessError(`entry not found: ${entry}`);
  if (!ENTRY_EXTENSIONS.has(extname(path))) {
    throw new InvalidArgumentError(`cannot run ${entry}: racecheck runs .ts, .mts, .cts, .tsx, .js, .mjs and .cjs programs`);
  }
  const source = readFileSync(path, 'utf8');
  if (parsesAsJavaScript(source, path)) return path;
  // TypeScript, or JavaScript acorn refuses (syntax Node still accepts, such as import assertions):
  // esbuild decides — what tsx runs TypeScript with, so its verdict is what the run would meet, in ~45 ms
  // where loading the TypeScript compiler took a quarter of a second.
  const esbuild = require('esbuild') as typeof Esbuild;
  try {
    esbuild.transformSync(source, { loader: path.endsWith('.tsx') ? 'tsx' : TYPESCRIPT_ENTRY.test(path) ? 'ts' : 'js', sourcefile: path, logLevel: 'silent' });
  } catch (error) {
    const [first] = (error as Esbuild.TransformFailure).errors ?? [];
    if (!first) throw error;
    const at = first.location ? `:${first.location.line}:${first.location.column + 1}` : '';
    throw new EntrySyntaxError(`syntax error in ${entry}${at}: ${first.text}`);
  }
  return path;
}

export interface RunOptions {
  entry: string;
  args: string[];
  trace?: string;
  timeoutSeconds?: number;
  /** How long a deadlock must last before the run is ended (default 2 s, as the CLI's). */
  deadlockGraceSeconds?: number;
  /** Which modules to instrument: the program's own (default), also node_modules, or none. */
  instrument?: 'own' | 'deps' | 'off';
  /** Follow async tasks (default on). */
  async?: 'on' | 'off';
  /** Where instrumented modules are kept between runs: a directory, the default (undefined), or none (null). */
  cacheDir?: string | null;
  cwd: string;
}

export interface RunResult {
  tracePath: string;
  run: RunInfo;
  /** What racecheck's machinery in the program's process said went wrong (a tool error, after the report). */
  failures: ProgramStatus['failures'];
  /** The signal that ended racecheck itself (SIGINT, SIGTERM): it exits as a tool killed by it would. */
  interrupted?: NodeJS.Signals;
}

const DEFAULT_DEADLOCK_GRACE_SECONDS = 2;

/** How long the program has to end after racecheck forwarded a signal to it, before it is killed. */
const SIGNAL_GRACE_MS = 2000;

function secondsToMs(value: number | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${option} takes a positive number of seconds, got ${value}`);
  return Math.round(value * 1000);
}

/**
 * Runs the program traced; resolves when it has ended, however it ended. A program process started early
 * (prestart.ts) is handed the run when it was started for one like it; otherwise it is ended and the
 * program started now.
 */
export async function runTraced(options: RunOptions, prestarted?: PrestartedProgram): Promise<RunResult> {
  const entry = checkEntry(options.entry);
  const timeoutMs = secondsToMs(options.timeoutSeconds, '--timeout');
  const graceMs = secondsToMs(options.deadlockGraceSeconds ?? DEFAULT_DEADLOCK_GRACE_SECONDS, '--deadlock-grace')!;
  const tracePath = options.trace !== undefined ? checkTraceDestination(resolve(options.cwd, options.trace)) : privateTracePath();
  checkWritable(tracePath);
  // tsx only for TypeScript: a JavaScript program that runs under plain node cannot import TypeScript (Node
  // 20 does not strip types), and tsx is most of a traced run's start-up. TypeScript workers of a
  // JavaScript program get tsx from racecheck's worker bootstrap all the same.
  const typescript = TYPESCRIPT_ENTRY.test(entry);
  const instrument = options.instrument ?? 'own';
  const env: Record<string, string> = {
    ...encodeRunSettings({
      tracePath,
      deadlockGraceMs: graceMs,
      instrument,
      async: options.async ?? 'on',
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir === null ? null : resolve(options.cwd, options.cacheDir) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    }),
    [STATUS_ENV]: String(STATUS_FD),
    ...(tsxCacheIsSafe() ? {} : { TSX_DISABLE_CACHE: '1' }),
  };
  const fits =
    prestarted !== undefined &&
    prestarted.waiting &&
    prestarted.typescript === typescript &&
    prestarted.instrumented === (instrument !== 'off') &&
    resolve(prestarted.cwd) === resolve(options.cwd);
  let child: ChildProcess;
  if (fits) {
    child = prestarted.take({ env, entry, args: options.args });
  } else {
    prestarted?.discard();
    child = spawn(process.execPath, [...startupImports(typescript), entry, ...options.args], {
      stdio: ['inherit', 'inherit', 'inherit', 'ignore', 'pipe'],
      cwd: options.cwd,
      env: { ...process.env, ...env },
    });
  }
  let statusText = '';
  const status = child.stdio[STATUS_FD] as Readable | null;
  status?.setEncoding('utf8');
  status?.on('data', (chunk: string) => (statusText += chunk));
  status?.on('error', () => undefined);
  const statusEnded = status ? new Promise<void>((done) => status.once('close', done)) : Promise.resolve();
  // A terminal's Ctrl-C reaches the program itself (same process group); a signal sent to racecheck alone
  // is passed on. Either way racecheck stays to report what was traced, and ends a program that does not
  // end within the grace period (a main thread blocked in Atomics.wait never runs its signal handlers).
  let interrupted: NodeJS.Signals | undefined;
  let killer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal;
    if (!(signal === 'SIGINT' && process.stdin.isTTY)) child.kill(signal);
    killer ??= setTimeout(() => child.kill('SIGKILL'), SIGNAL_GRACE_MS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The session ends a timed-out program itself; this only covers a program whose runtime hangs too.
  const backstop = timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000) : undefined;
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
      child.on('error', fail);
      child.on('exit', (exitCode, exitSignal) => done([exitCode, exitSignal]));
    });
    // The status pipe may still hold the last lines (a grandchild that inherited it keeps it open: no wait).
    await Promise.race([statusEnded, new Promise((done) => setTimeout(done, 50).unref())]);
    const told = parseStatus(statusText);
    if (!told.ready && !interrupted) {
      const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
      throw new ProgramStartError(`the program's process ${how} before racecheck could start ${options.entry} in it (see the error above)`);
    }
    return { tracePath, run: { program: entry, exitCode: code, signal }, failures: told.failures, ...(interrupted ? { interrupted } : {}) };
  } finally {
    status?.destroy();
    clearTimeout(backstop);
    clearTimeout(killer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/**
 * Where a run's trace goes when the user did not say: a fresh directory only this user can enter (mkdtemp
 * makes it 0700, under a name nobody can guess), so no other user can plant a symlink where it is written.
 */
function privateTracePath(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'racecheck-')), 'run.trace');
  closeSync(openSync(path, 'wx', 0o600));
  return path;
}

/**
 * `--trace <file>` writes only a new file or an earlier racecheck trace, never through a symlink at the last
 * component: `--trace app.mjs` must not overwrite the program.
 */
function checkTraceDestination(path: string): string {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return path;
  }
  if (stats.isSymbolicLink()) throw new FileAccessError(`--trace ${path} is a symbolic link: racecheck does not write a trace through one`);
  if (!stats.isFile()) throw new FileAccessError(`--trace ${path} is not a regular file`);
  if (stats.size > 0 && !isTraceFile(path)) throw new FileAccessError(`--trace ${path} exists and is not a racecheck trace: racecheck does not overwrite it`);
  return path;
}

function isTraceFile(path: string): boolean {
  return readRegularBytes(path, { limit: 0, prefix: TraceFormat.MAGIC.length, followLinks: false })?.toString('latin1') === TraceFormat.MAGIC;
}

/** Removes a trace racecheck made for the run only (and its private directory). */
export function removeTrace(path: string): void {
  try {
    unlinkSync(path);
    if (basename(path) === 'run.trace' && basename(dirname(path)).startsWith('racecheck-')) rmdirSync(dirname(path));
  } catch {
    // Already gone.
  }
}

/**
 * The analysis, loaded on demand: `racecheck run` starts loading it once the program is running, so that
 * its modules compile while the program does.
 */
export function loadAnalysis(): Promise<typeof import('./analyze.js')> {
  return import('./analyze.js');
}
