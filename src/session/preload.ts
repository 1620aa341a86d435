/**
 * Loaded with `node --import` into a program that racecheck runs. In the main thread it starts the traced
 * session described by RACECHECK_* environment variables; in workers (which inherit `--import`) loading the
 * probe is enough: it attaches to the ring the main thread published.
 */
import { register } from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { getEnvironmentData, isMainThread, MessageChannel, setEnvironmentData, type MessagePort } from 'node:worker_threads';
import { PRELOAD_ENVIRONMENT_KEY, siblingModule, tsxApiUrl, tsxCommonJsApiPath, tsxLoaderUrl } from '../core/module-worker.js';
import type { InstrumentScope } from '../instrument/load/scope.js';
import '../tracer/probe.js';
import { PRESTART_ENV, readPrestartOrder } from './prestart.js';
import { startSession } from './session.js';
import { hasInThreadHooks as inThreadHooks } from '../core/node-support.js';
import { tellReady } from '../core/program-status.js';
import { decodeRunSettings, ENVIRONMENT_DATA } from '../core/run-protocol.js';

const hooksUrl = siblingModule(import.meta.url, '../instrument/load/hooks');

/**
 * In a process `racecheck run` started before it knew what to run (session/prestart.ts): the loader
 * thread starts now if it will be needed (it boots while the CLI gets ready; what to instrument follows on
 * a port), then the run arrives — its environment, the program and its arguments. Undefined in any other
 * process.
 */
async function awaitPrestartedRun(): Promise<MessagePort | undefined> {
  const mode = process.env[PRESTART_ENV];
  if (!isMainThread || mode === undefined) return undefined;
  delete process.env[PRESTART_ENV];
  let hooksPort: MessagePort | undefined;
  if (mode === 'hooks') {
    await loadInstrumentation();
  }
  if (mode === 'hooks' && !inThreadHooks) {
    const { port1, port2 } = new MessageChannel();
    register(hooksUrl, { data: { port: port2 }, transferList: [port2] });
    hooksPort = port1;
  }
  const order = readPrestartOrder();
  // Not needed after all: the CLI closed the pipe (it also ends the process; this is in case it could not).
  if (!order) process.exit(0);
  Object.assign(process.env, order.env);
  process.argv.splice(1, process.argv.length - 1, order.entry, ...order.args);
  return hooksPort;
}

function loadInstrumentation(): Promise<
  [typeof import('../instrument/runtime/install.js'), typeof import('../instrument/load/cjs.js'), typeof import('../instrument/load/hooks.js')]
> {
  return Promise.all([import('../instrument/runtime/install.js'), import('../instrument/load/cjs.js'), import('../instrument/load/hooks.js')]);
}

const hooksPort = await awaitPrestartedRun();

/** The run this process belongs to, decoded once its settings are all in the environment (a prestarted process gets them late). */
const settings = decodeRunSettings();

if (isMainThread && settings) {
  // Source maps let call sites point at the user's TypeScript rather than the code tsx generated.
  process.setSourceMapsEnabled(true);
  startSession({
    tracePath: settings.tracePath,
    ring: { laneRecords: settings.laneRecords, lanes: settings.lanes },
    deadlockGraceMs: settings.deadlockGraceMs,
    timeoutMs: settings.timeoutMs,
    meta: { program: process.argv[1], args: process.argv.slice(2), pid: process.pid, cwd: process.cwd(), startTime: Date.now() },
  });
}

/** The `--import`s this process started with (tsx and this preload): workers need them too. */
function startupImports(): string[] {
  const imports: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i + 1 < argv.length; i++) if (argv[i] === '--import') imports.push(argv[i + 1]!);
  return imports;
}

/**
 * The user's own cache directory, as the platform has it ($XDG_CACHE_HOME, else ~/.cache): private by
 * default and never shared with other users, unlike the system's temporary directory, where another user
 * can create a name first. A per-user directory, not the project's node_modules/.cache, because racecheck
 * runs programs that have no node_modules, and one cache then serves every project of the user.
 */
function defaultCacheDir(): string | undefined {
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'racecheck', 'instrumented');
  const home = homedir();
  return home ? join(home, '.cache', 'racecheck', 'instrumented') : undefined;
}

function instrumentScope(): InstrumentScope | undefined {
  if (isMainThread) {
    if (!settings || settings.instrument === 'off') return undefined;
    const cacheDir = settings.cacheDir === undefined ? defaultCacheDir() : settings.cacheDir;
    const scope: InstrumentScope = { deps: settings.instrument === 'deps', async: settings.async !== 'off', ...(cacheDir ? { cacheDir } : {}) };
    setEnvironmentData(ENVIRONMENT_DATA.instrument, scope);
    return scope;
  }
  // racecheck's collector never gets here: it is an eval worker started before the settings and the
  // preload's URL are published, so no bootstrap imports this module into it.
  return getEnvironmentData(ENVIRONMENT_DATA.instrument) as InstrumentScope | undefined;
}

const scope = instrumentScope();
if (scope) {
  // Loaded only when instrumenting: the runtime and the CommonJS hook cost start-up time in every thread.
  const [{ installRuntime }, { instrumentCommonJs }, { registerInThreadHooks }] = await loadInstrumentation();
  if (isMainThread) setEnvironmentData(PRELOAD_ENVIRONMENT_KEY, import.meta.url);
  const imports = startupImports();
  installRuntime({
    imports,
    tsxApi: tsxApiUrl(),
    tsxCommonJsApi: tsxCommonJsApiPath(),
    tsxInherited: inThreadHooks && imports.includes(tsxLoaderUrl()),
    preload: import.meta.url,
    scope,
  });
  instrumentCommonJs(scope);
  if (inThreadHooks) {
    registerInThreadHooks(scope);
  } else {
    if (hooksPort) hooksPort.postMessage(scope);
    else register(hooksUrl, { data: scope });
  }
}
// A loader thread started early for a run that instruments nothing passes every module through.
if (hooksPort && !scope) hooksPort.postMessage(null);
hooksPort?.close();
// The program runs next: racecheck run learns that its machinery came up (core/program-status.ts).
if (isMainThread && settings) tellReady();
