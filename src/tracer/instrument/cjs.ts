/**
 * CommonJS modules: on Node 20 `require` does not pass through loader hooks, so the thread that compiles
 * a module rewrites it on the way into `Module.prototype._compile` (after tsx's own CommonJS transform).
 */
import { writeSync } from 'node:fs';
import Module from 'node:module';
import { instrumentSource } from './transform.js';
import { libraryPatch, parseWarning, shouldInstrument, type InstrumentScope } from './scope.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

let patched = false;

export function instrumentCommonJs(scope: InstrumentScope): void {
  if (patched) return;
  patched = true;
  const prototype = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = prototype._compile;
  prototype._compile = function compileInstrumented(content, filename, ...rest) {
    let code = content;
    const patch = typeof content === 'string' ? libraryPatch(filename, scope) : undefined;
    if (patch) {
      code = content + patch;
    } else if (typeof content === 'string' && shouldInstrument(filename, scope)) {
      try {
        code = instrumentSource(content, { filename, sourceType: 'script', async: scope.async === true })?.code ?? content;
      } catch (error) {
        writeSync(2, parseWarning(filename, error));
      }
    }
    return compile.call(this, code, filename, ...rest);
  };
}
