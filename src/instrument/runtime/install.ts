/**
 * The runtime instrumented code calls, installed once per thread: the object abi.ts declares, on the
 * global its prologue reads, and the patches that follow what crosses threads outside racecheck's
 * primitives (messages, Worker start and exit). Nothing is patched on import: only `installRuntime` does.
 */
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { defineSites, onSettle, onTracingChange, syncEpoch } from '../../tracer/probe.js';
import { RUNTIME_KEY, type InstrumentRuntime } from '../abi.js';
import { dataViewAccess, read, step, update, write } from './access.js';
import { installAsyncRuntime } from './async.js';
import { atomics } from './atomics.js';
import { bulkAccess, iterateAccess, spreadAccess } from './builtins.js';
import { patchMessaging } from './messages.js';
import { hot, writeRuns } from './runs.js';
import { DATA_VIEW_SHADOW, installVerdicts, SHADOW } from './shadow.js';
import { patchWorker, startWorker, type RuntimeOptions } from './workers.js';

export type { RuntimeOptions } from './workers.js';

let installed = false;

/** Installs the runtime in this thread (idempotent): the global, the verdicts, the messaging and Worker patches. */
export function installRuntime(options: RuntimeOptions): void {
  if (installed) return;
  installed = true;
  installVerdicts();
  onSettle(writeRuns);
  // Closed when tracing stops, so that no accessor goes on extending a run nobody will write.
  onTracingChange((on) => {
    if (!on) writeRuns();
  });
  const runtime: InstrumentRuntime = {
    sites: defineSites,
    shadow: SHADOW,
    epoch: syncEpoch,
    hot,
    dataView: DATA_VIEW_SHADOW,
    dv: dataViewAccess as InstrumentRuntime['dv'],
    bulk: bulkAccess as InstrumentRuntime['bulk'],
    spread: spreadAccess,
    iterate: iterateAccess,
    r: read,
    w: write,
    u: update,
    p: step,
    atomics: Object.freeze(atomics),
    async: options.scope.async ? installAsyncRuntime() : undefined,
  };
  Object.defineProperty(globalThis, Symbol.for(RUNTIME_KEY), { value: Object.freeze(runtime) });
  patchMessaging();
  patchWorker(options);
  if (!isMainThread) startWorker();
  syncBuiltinESMExports();
}
