/**
 * The protocol of a traced run: every channel between `racecheck run` and the program's process — its
 * environment variables, the descriptors it is handed, the worker environment-data keys and the global the
 * instrumented code finds its runtime under — named once here, with one encoding and one decoding for the
 * settings, imported by both ends.
 */

/** The environment variables a traced program's process reads (its workers inherit them). */
export const RUN_ENVIRONMENT = {
  /** The trace file; its presence is what makes a process a traced run. */
  trace: 'RACECHECK_TRACE',
  deadlockGraceMs: 'RACECHECK_DEADLOCK_GRACE_MS',
  timeoutMs: 'RACECHECK_TIMEOUT_MS',
  /** 'own', 'deps' or 'off'. */
  instrument: 'RACECHECK_INSTRUMENT',
  /** 'off' leaves async tasks alone; anything else follows them. */
  async: 'RACECHECK_ASYNC',
  /** Where instrumented modules are kept; unset: the default; empty: no cache. */
  cacheDir: 'RACECHECK_CACHE_DIR',
  /** The ring's size (tests and benchmarks set them). */
  laneRecords: 'RACECHECK_LANE_RECORDS',
  lanes: 'RACECHECK_LANES',
  /** The descriptor of the status pipe (STATUS_FD). */
  statusFd: 'RACECHECK_STATUS_FD',
  /** Set in a process started before its run: 'hooks' (it sets instrumentation up first) or 'plain'. */
  prestart: 'RACECHECK_PRESTART',
  /** The vitest plugin's options (JSON), for its global setup and the test workers. */
  vitestOptions: 'RACECHECK_VITEST_OPTIONS',
} as const;

/** The descriptor an early process reads its run from (one line of JSON). */
export const PRESTART_FD = 3;
/** The descriptor the program's process reports racecheck's own state on (core/program-status.ts). */
export const STATUS_FD = 4;

/** Worker environment-data keys: how threads of a traced program learn what the main thread set up. */
export const ENVIRONMENT_DATA = {
  /** The SharedArrayBuffer ring every thread records into. */
  ring: 'racecheck:ring',
  /** The instrumentation scope (what to rewrite), for workers started with an environment of their own. */
  instrument: 'racecheck:instrument',
  /** The preload's URL, which eval workers import themselves (`--import` does not reach them). */
  preload: 'racecheck:preload',
  /** A starting worker's identity (the spawn edge's token) and name. */
  spawn: 'racecheck:spawn',
  /** What a bootstrap worker (TypeScript entry, eval code) runs. */
  boot: 'racecheck:boot',
} as const;

/** The global symbol (`Symbol.for`) instrumented code finds its runtime under. */
export const RUNTIME_GLOBAL_KEY = 'racecheck.instrument';
/** The global symbol (`Symbol.for`) that marks racecheck's message patches installed in a thread (one copy of them, however many copies of racecheck load). */
export const MESSAGING_GLOBAL_KEY = 'racecheck.messagingInstalled';

/** What a traced run is told: the CLI encodes it into the environment, the preload decodes it. */
export interface RunSettings {
  tracePath: string;
  deadlockGraceMs?: number;
  timeoutMs?: number;
  instrument: 'own' | 'deps' | 'off';
  async: 'on' | 'off';
  /** A directory, the default (undefined), or none (null). */
  cacheDir?: string | null;
  laneRecords?: number;
  lanes?: number;
}

export function encodeRunSettings(settings: RunSettings): Record<string, string> {
  const env: Record<string, string> = {
    [RUN_ENVIRONMENT.trace]: settings.tracePath,
    [RUN_ENVIRONMENT.instrument]: settings.instrument,
    [RUN_ENVIRONMENT.async]: settings.async,
  };
  if (settings.deadlockGraceMs !== undefined) env[RUN_ENVIRONMENT.deadlockGraceMs] = String(settings.deadlockGraceMs);
  if (settings.timeoutMs !== undefined) env[RUN_ENVIRONMENT.timeoutMs] = String(settings.timeoutMs);
  if (settings.cacheDir !== undefined) env[RUN_ENVIRONMENT.cacheDir] = settings.cacheDir ?? '';
  if (settings.laneRecords !== undefined) env[RUN_ENVIRONMENT.laneRecords] = String(settings.laneRecords);
  if (settings.lanes !== undefined) env[RUN_ENVIRONMENT.lanes] = String(settings.lanes);
  return env;
}

function numberFrom(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

/** The run this process belongs to, or undefined in a process no traced run started. */
export function decodeRunSettings(env: NodeJS.ProcessEnv = process.env): RunSettings | undefined {
  const tracePath = env[RUN_ENVIRONMENT.trace];
  if (!tracePath) return undefined;
  const instrument = env[RUN_ENVIRONMENT.instrument];
  const cacheDir = env[RUN_ENVIRONMENT.cacheDir];
  const settings: RunSettings = {
    tracePath,
    instrument: instrument === 'own' || instrument === 'deps' ? instrument : 'off',
    async: env[RUN_ENVIRONMENT.async] === 'off' ? 'off' : 'on',
  };
  const deadlockGraceMs = numberFrom(env[RUN_ENVIRONMENT.deadlockGraceMs]);
  const timeoutMs = numberFrom(env[RUN_ENVIRONMENT.timeoutMs]);
  const laneRecords = numberFrom(env[RUN_ENVIRONMENT.laneRecords]);
  const lanes = numberFrom(env[RUN_ENVIRONMENT.lanes]);
  if (deadlockGraceMs !== undefined) settings.deadlockGraceMs = deadlockGraceMs;
  if (timeoutMs !== undefined) settings.timeoutMs = timeoutMs;
  if (cacheDir !== undefined) settings.cacheDir = cacheDir === '' ? null : cacheDir;
  if (laneRecords !== undefined) settings.laneRecords = laneRecords;
  if (lanes !== undefined) settings.lanes = lanes;
  return settings;
}
