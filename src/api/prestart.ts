/**
 * `racecheck run` starts the program's Node process before the CLI has loaded its argument parser and
 * checked the entry (~0.17 s): meanwhile that process boots, loads racecheck's runtime and starts its
 * loader thread, then waits on a pipe (its descriptor 3) for what to run and how. The CLI only guesses here,
 * from the raw arguments, whether a run is coming, whether the entry is TypeScript (tsx must be loaded
 * first) and whether it will be instrumented (the loader thread is started only then); once it has parsed
 * the arguments for real it hands the process the run (runTraced) if the guesses were right, and otherwise
 * ends it and starts a process the ordinary way. A process nobody hands anything to sees its pipe close
 * and exits without a word.
 *
 * Kept to Node's own modules and the protocol's (session/prestart.ts): it runs before the rest of the CLI
 * is loaded. The CLI calls it first thing (cli/bin.ts); runTraced takes the process it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPrivateDirectory } from '../core/private-dir.js';
import { PRESTART_ENV, PRESTART_FD, type PrestartOrder } from '../session/prestart.js';

const require = createRequire(import.meta.url);

export const preloadUrl = (): string => pathToFileURL(fileURLToPath(new URL('../session/preload.js', import.meta.url))).href;
export const tsxUrl = (): string => pathToFileURL(require.resolve('tsx')).href;

/** `--import`s a program starts with: tsx for TypeScript (Node 20 cannot load it), then the preload. */
export function startupImports(typescript: boolean): string[] {
  return typescript ? ['--import', tsxUrl(), '--import', preloadUrl()] : ['--import', preloadUrl()];
}

let tsxCacheVerdict: boolean | undefined;

/**
 * tsx keeps compiled TypeScript in `<tmpdir>/tsx-<uid>` and runs it from there: a directory another user
 * made (or pointed somewhere with a symlink) would run their code, and tsx's own pruning would delete in
 * it. racecheck makes it private if it is missing, and otherwise runs tsx without its cache (tsx reads
 * TSX_DISABLE_CACHE when it loads: an early process must be told at its start). Decided once per run.
 */
export function tsxCacheIsSafe(): boolean {
  if (tsxCacheVerdict === undefined) {
    const uid = process.getuid?.();
    const directory = join(tmpdir(), `tsx-${uid}`);
    tsxCacheVerdict = uid === undefined || isPrivateDirectory(directory, { create: true });
    if (!tsxCacheVerdict) process.stderr.write(`racecheck: warning: tsx's cache directory ${directory} is not this user's alone: TypeScript is compiled without it\n`);
  }
  return tsxCacheVerdict;
}

export class PrestartedProgram {
  #taken = false;

  constructor(
    readonly child: ChildProcess,
    readonly typescript: boolean,
    readonly instrumented: boolean,
    readonly cwd: string,
  ) {}

  /** Still waiting for its run (it may have failed to start, or been handed one already). */
  get waiting(): boolean {
    return !this.#taken && this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Hands the process its run: from now on it is the program. */
  take(order: PrestartOrder): ChildProcess {
    this.#taken = true;
    (this.child.stdio[PRESTART_FD] as Writable).end(`${JSON.stringify(order)}\n`);
    return this.child;
  }

  /** Ends a process that was not needed (a no-op once it has been handed its run). */
  discard(): void {
    if (this.#taken) return;
    this.#taken = true;
    this.child.kill('SIGKILL');
  }
}

/** Starts the program's process early when the arguments look like `racecheck run <entry>`. */
export function prestartProgram(argv: readonly string[]): PrestartedProgram | undefined {
  if (argv[0] !== 'run') return undefined;
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (own.some((arg) => arg === '--help' || arg === '-h' || arg === '--version')) return undefined;
  const typescript = own.slice(1).some((arg) => /\.(?:[mc]?ts|tsx)$/.test(arg));
  const instrumented = !own.some((arg) => arg === '--no-instrument' || arg === '--instrument=false');
  const child = spawn(process.execPath, [...startupImports(typescript), fileURLToPath(new URL('../session/run-entry.js', import.meta.url))], {
    // 3: the run, when it comes; 4: the program process's status (core/program-status.ts).
    stdio: ['inherit', 'inherit', 'inherit', 'pipe', 'pipe'],
    env: { ...process.env, [PRESTART_ENV]: instrumented ? 'hooks' : 'plain', ...(tsxCacheIsSafe() ? {} : { TSX_DISABLE_CACHE: '1' }) },
  });
  // A process that could not start is simply not used.
  child.on('error', () => undefined);
  (child.stdio[PRESTART_FD] as Writable).on('error', () => undefined);
  return new PrestartedProgram(child, typescript, instrumented, process.cwd());
}
