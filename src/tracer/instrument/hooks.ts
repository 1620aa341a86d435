/**
 * The module loader hooks (`module.register`): ES modules of the program are rewritten as they load,
 * after tsx has turned TypeScript into JavaScript (its output carries the source map we compose with).
 * They run on Node's loader thread; CommonJS modules do not pass through them on Node 20 and are handled
 * by cjs.ts in the thread that requires them.
 */
import { instrumentModule } from './instrument-module.js';
import type { InstrumentScope } from './scope.js';

let scope: InstrumentScope = { deps: false };

export function initialize(data: InstrumentScope | undefined): void {
  if (data) scope = data;
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null) return result;
  const code = sourceText(result.source);
  const source = instrumentModule(code, url, 'module', scope);
  return source === code ? result : { ...result, source };
}

function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  return typeof source === 'string' ? source : new TextDecoder().decode(source as Uint8Array);
}
