/**
 * The module loader hooks: ES modules of the program are rewritten as they load, after tsx has turned
 * TypeScript into JavaScript (its output carries the source map we compose with).
 *
 * Two ways in, one rewrite (instrumentLoaded):
 * - Where Node has `module.registerHooks` (22.15+, 23.5+), synchronous hooks in the thread itself
 *   (registerInThreadHooks): no loader thread per worker, no round trip per module, and registered after
 *   tsx's they run first, so `nextLoad` hands them tsx's JavaScript.
 * - On Node 20, `module.register` on Node's loader thread (initialize/load below), one per thread.
 *
 * CommonJS modules that Node compiles from the hooks' source are rewritten here too; the others by cjs.ts
 * (tsx compiles CommonJS through `Module._extensions`, which never consults the hooks).
 */
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import type { MessagePort } from 'node:worker_threads';
import { instrumentSafely } from './instrument-module.js';
import type { InstrumentScope } from './scope.js';

let scope: InstrumentScope | null = { deps: false };
/** Settled once the scope is known: a process started before its run (session/prestart.ts) learns it late. */
let scopeKnown: Promise<void> | undefined;

type Settings = InstrumentScope | { port: MessagePort };

export function initialize(data: Settings | undefined): void {
  if (!data) return;
  if ('port' in data) {
    const port = data.port;
    scopeKnown = new Promise((resolve) => {
      port.once('message', (message: InstrumentScope | null) => {
        // null: the run instruments nothing, and every module passes through.
        scope = message;
        port.close();
        resolve();
      });
    });
  } else {
    scope = data;
  }
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;
type NextLoadSync = (url: string, context: unknown) => LoadResult;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  if (scopeKnown) await scopeKnown;
  const result = await nextLoad(url, context);
  return scope ? instrumentLoaded(result, url, scope) : result;
}

interface InThreadModuleApi {
  registerHooks?(hooks: { load?(url: string, context: unknown, nextLoad: NextLoadSync): LoadResult }): unknown;
}

const require = createRequire(import.meta.url);
const moduleApi = Module as unknown as InThreadModuleApi;

let registered = false;

/** Rewrites this thread's ES modules from now on, in the thread (idempotent). */
export function registerInThreadHooks(inThreadScope: InstrumentScope): void {
  if (registered) return;
  registered = true;
  moduleApi.registerHooks!({ load: (url, context, nextLoad) => instrumentLoaded(nextLoad(url, context), url, inThreadScope) });
}

/**
 * A module as it arrives from the rest of the chain, rewritten. CommonJS arrives here with its source only
 * where Node compiles that source itself (an `import` of CommonJS, or `require` on Node 22+); cjs.ts sees
 * the rest, and the mark at the top of instrumented code keeps a module that passes both from being
 * rewritten twice. TypeScript that reaches here untouched (no tsx in this thread: Node would strip its
 * types after the hooks) is compiled first with esbuild, as tsx would, its source map inline for the
 * transform to compose with (Node's own stripTypeScriptTypes prints an experimental warning into the
 * program's output).
 */
function instrumentLoaded(result: LoadResult, url: string, instrumentScope: InstrumentScope): LoadResult {
  if (result.source == null) return result;
  let format = result.format;
  let code: string | undefined;
  if (format === 'module-typescript' || format === 'commonjs-typescript') {
    code = compileTypeScript(sourceText(result.source), url);
    format = format === 'module-typescript' ? 'module' : 'commonjs';
  }
  if (format !== 'module' && format !== 'commonjs') return result;
  code ??= sourceText(result.source);
  const source = instrumentSafely(code, url, format === 'module' ? 'module' : 'script', instrumentScope);
  return source === code && format === result.format ? result : { ...result, format, source };
}

function compileTypeScript(code: string, url: string): string {
  const esbuild = require('esbuild') as typeof Esbuild;
  return esbuild.transformSync(code, { loader: url.endsWith('x') ? 'tsx' : 'ts', sourcefile: fileURLToPath(url), sourcemap: 'inline' }).code;
}

function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  return typeof source === 'string' ? source : new TextDecoder().decode(source as Uint8Array);
}
