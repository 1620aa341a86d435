/**
 * The module loader hooks (`module.register`): ES modules of the program are rewritten as they load,
 * after tsx has turned TypeScript into JavaScript (its output carries the source map we compose with).
 * They run on Node's loader thread; CommonJS modules do not pass through them on Node 20 and are handled
 * by cjs.ts in the thread that requires them.
 */
import { instrumentModule } from './instrument-module.js';
import type { MessagePort } from 'node:worker_threads';
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

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  if (scopeKnown) await scopeKnown;
  const result = await nextLoad(url, context);
  if (!scope || result.format !== 'module' || result.source == null) return result;
  const code = sourceText(result.source);
  const source = instrumentModule(code, url, 'module', scope);
  return source === code ? result : { ...result, source };
}

function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  return typeof source === 'string' ? source : new TextDecoder().decode(source as Uint8Array);
}
