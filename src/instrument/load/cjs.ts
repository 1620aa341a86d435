/**
 * CommonJS modules: the thread that compiles a module rewrites it on the way into
 * `Module.prototype._compile`, after tsx's own CommonJS transform or Node's type stripping. On Node 20
 * `require` does not pass through loader hooks at all, and on later versions tsx's CommonJS loader goes
 * around them: the compile step is the one place every CommonJS module passes.
 */
import Module from 'node:module';
import { instrumentSafely } from './instrument-module.js';
import type { InstrumentScope } from './scope.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

let patched = false;

export function instrumentCommonJs(scope: InstrumentScope): void {
  if (patched) return;
  patched = true;
  const prototype = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = prototype._compile;
  prototype._compile = function compileInstrumented(content, filename, ...rest) {
    const code = typeof content === 'string' ? instrumentSafely(content, filename, 'script', scope) : content;
    return compile.call(this, code, filename, ...rest);
  };
}

