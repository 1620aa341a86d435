/**
 * Starting a worker on one of racecheck's own modules or a user's module, TypeScript included. On Node 20
 * `--import tsx` does not reach a worker's entry module, so the worker's first code is a plain script that
 * registers tsx when a module to load is TypeScript, then imports the entry.
 */
import { createRequire } from 'node:module';
import { ENVIRONMENT_DATA } from './run-protocol.js';
import { pathToFileURL } from 'node:url';
import type { TransferListItem, Worker as WorkerType } from 'node:worker_threads';

const require = createRequire(import.meta.url);
/**
 * Taken when this module loads, before instrumentation can replace the export: racecheck's own workers
 * (the collector, Threads) record their own start and end and must not be wrapped as a program's are.
 */
const Worker = (require('node:worker_threads') as typeof import('node:worker_threads')).Worker;

/** tsx's ESM API (`require.resolve` finds its CommonJS twin, which cannot register hooks in a worker). */
export function tsxApiUrl(): string {
  return pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
}

/** tsx's CommonJS API: a TypeScript module loaded with `require` in a worker needs it registered too. */
export function tsxCommonJsApiPath(): string {
  return require.resolve('tsx/cjs/api');
}

/** The module `--import tsx` loads. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

export function isTypeScriptModule(url: string): boolean {
  return /\.(?:ts|mts|cts|tsx)$/.test(new URL(url).pathname);
}

/** The sibling module `name` of `importMetaUrl`, as .ts when running from sources and .js when built. */
export function siblingModule(importMetaUrl: string, name: string): string {
  return new URL(`./${name}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl).href;
}

/**
 * Environment data naming a module every worker must import before its entry (racecheck's preload when it
 * instruments a program): `--import` does not reach eval workers, and this bootstrap is one.
 */
export const PRELOAD_ENVIRONMENT_KEY = ENVIRONMENT_DATA.preload;

/** Key of the start-up description in such a worker's `workerData`. */
export const MODULE_WORKER_KEY = '__racecheckBoot__';

export interface ModuleWorkerBoot {
  entry: string;
  /** tsx's API URL when TypeScript must be loadable in the worker, and its CommonJS API's path. */
  tsx: string | undefined;
  tsxCommonJs: string | undefined;
  [more: string]: unknown;
}

/**
 * The worker's first code. `onFailure` is extra script run with `boot` and `error` in scope when the
 * entry cannot be loaded or throws while loading (a Thread records it for its joiners).
 */
export function bootstrapScript(onFailure = ''): string {
  return `
const { workerData, getEnvironmentData } = require('node:worker_threads');
const boot = workerData.${MODULE_WORKER_KEY};
(async () => {
  if (boot.tsx) {
    (await import(boot.tsx)).register();
    require(boot.tsxCommonJs).register();
  }
  const preload = getEnvironmentData(${JSON.stringify(PRELOAD_ENVIRONMENT_KEY)});
  if (preload) await import(preload);
  await import(boot.entry);
})().catch((error) => {
  ${onFailure}
  throw error;
});
`;
}

export interface ModuleWorkerOptions {
  name?: string;
  /** Other modules the worker will import (TypeScript among them needs tsx). */
  alsoLoads?: string[];
  boot?: Record<string, unknown>;
  transferList?: readonly TransferListItem[];
  onFailure?: string;
}

export function startModuleWorker(entry: string, options: ModuleWorkerOptions = {}): WorkerType {
  const typescript = [entry, ...(options.alsoLoads ?? [])].some(isTypeScriptModule);
  const boot: ModuleWorkerBoot = { ...options.boot, entry, tsx: typescript ? tsxApiUrl() : undefined, tsxCommonJs: typescript ? tsxCommonJsApiPath() : undefined };
  return new Worker(bootstrapScript(options.onFailure), {
    eval: true,
    name: options.name,
    workerData: { [MODULE_WORKER_KEY]: boot },
    transferList: options.transferList as TransferListItem[] | undefined,
  });
}
