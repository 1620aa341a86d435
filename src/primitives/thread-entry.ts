/**
 * The module a Thread's worker runs (loaded by the bootstrap in thread.ts): rebuild the Thread object,
 * find its code, run it, and record how it ended in the shared control words.
 */
import { workerData } from 'node:worker_threads';
import { ThreadTargetError } from '../core/errors.js';
import { revive } from '../core/handles.js';
import {
  adoptCurrentThread,
  finish,
  markRunning,
  rebuildThread,
  recordFailure,
  Thread,
  THREAD_BOOT_KEY,
  type ThreadBoot,
} from './thread.js';
import { ThreadState } from './layout.js';
import { nameThread } from '../tracer/probe.js';
import './index.js';

const boot = (workerData as Record<string, ThreadBoot>)[THREAD_BOOT_KEY]!;

async function load(url: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ThreadTargetError(`cannot load ${what} module ${url}: ${(error as Error).message}`, { cause: error });
  }
}

async function main(): Promise<void> {
  const classModule = await load(boot.classModule, 'the thread class');
  const cls = classModule[boot.className];
  if (typeof cls !== 'function' || !(cls === Thread || cls.prototype instanceof Thread)) {
    throw new ThreadTargetError(
      `Thread subclass '${boot.className}' is not exported by ${boot.classModule}; export it so that the worker can build it`,
    );
  }
  const thread = rebuildThread(cls as typeof Thread, { ...boot, fields: revive(boot.fields) });
  let target: ((...args: unknown[]) => unknown) | undefined;
  if (boot.targetName !== undefined) {
    const targetModule = boot.targetModule === boot.classModule ? classModule : await load(boot.targetModule, 'the target');
    const found = targetModule[boot.targetName];
    if (typeof found !== 'function') {
      throw new ThreadTargetError(
        `Thread target '${boot.targetName}' is not an exported function of ${boot.targetModule}; export it so that the worker can find it`,
      );
    }
    target = found as (...args: unknown[]) => unknown;
  }
  adoptCurrentThread(thread, target, revive(boot.args));
  nameThread(boot.name);
  markRunning(thread);
  process.on('uncaughtException', (error) => {
    recordFailure(thread, error);
    process.exit(1);
  });
  process.on('exit', (code) => {
    recordFailure(thread, new Error(`thread '${boot.name}' called process.exit(${code}) before its function returned`));
  });
  try {
    await thread.run();
  } catch (error) {
    recordFailure(thread, error);
    return;
  }
  finish(thread, ThreadState.FINISHED);
}

await main();
