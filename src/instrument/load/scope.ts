/**
 * Which modules the instrumentation rewrites: the program's own files, not racecheck's (its primitives
 * record themselves, and instrumenting their Atomics would trace the tracer), and not `node_modules`
 * unless asked (`--instrument-deps`).
 */
import { fileURLToPath } from 'node:url';
import { ASYNC_ENTRY, ENTRY, RUNTIME_KEY } from '../abi.js';

export interface InstrumentScope {
  /** Also rewrite modules under node_modules. */
  deps: boolean;
  /** Follow async tasks: rewrite async functions, awaits and writes of state tasks share. */
  async?: boolean;
  /** Where instrumented modules are kept between loads and runs (see instrument-module.ts); none: no cache. */
  cacheDir?: string;
}

/** racecheck's own code (src/ when run from sources, dist/ when built): the rest of its package is not. */
const ownCode = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_EXTENSION = /\.(?:[cm]?[jt]s|[jt]sx)$/;

export function shouldInstrument(file: string, scope: InstrumentScope): boolean {
  let path = file;
  if (path.startsWith('file:')) path = fileURLToPath(path);
  else if (path.includes(':') && !path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) return false;
  if (!SOURCE_EXTENSION.test(path)) return false;
  const inDeps = /[\\/]node_modules[\\/]/.test(path);
  if (path.startsWith(ownCode)) return false;
  if (inDeps) return scope.deps && !isToolingFile(path);
  return true;
}

/** The packages racecheck itself runs programs with: their code is racecheck's machinery, not the program's. */
const TOOLING = /[\\/]node_modules[\\/](?:racecheck|tsx|esbuild|typescript)[\\/]/;

/**
 * Code of racecheck or of the tools it runs the program with (tsx, esbuild, TypeScript): what it does is
 * not the program's. esbuild's synchronous API, which tsx calls to compile CommonJS TypeScript, starts a
 * worker with `execArgv: []` and blocks on it: that worker must start exactly as asked, untraced.
 */
export function isToolingFile(file: string): boolean {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  return path.startsWith(ownCode) || TOOLING.test(path);
}

/** The one-line warning for a module the transform could not parse: it runs as it is. */
export function parseWarning(file: string, error: unknown): string {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  return `racecheck: warning: ${path} is not instrumented (it runs unchanged): ${(error as Error).message}\n`;
}

const ASYNC_MUTEX_ESM = /[\\/]node_modules[\\/]async-mutex[\\/]index\.mjs$/;
const ASYNC_MUTEX_CJS = /[\\/]node_modules[\\/]async-mutex[\\/]lib[\\/]Semaphore\.js$/;

/**
 * Code appended to a library module racecheck understands (async-mutex: its Semaphore, through which every
 * Mutex operation goes), or undefined. The library is not rewritten otherwise.
 */
export function libraryPatch(file: string, scope: InstrumentScope): string | undefined {
  if (!scope.async) return undefined;
  const runtime = `globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})]?.${ENTRY.async}?.${ASYNC_ENTRY.asyncMutex}`;
  if (ASYNC_MUTEX_ESM.test(file)) return `\n;Semaphore = ${runtime}?.(Semaphore) ?? Semaphore;\n`;
  if (ASYNC_MUTEX_CJS.test(file)) return `\n;exports.default = ${runtime}?.(exports.default) ?? exports.default;\n`;
  return undefined;
}
