/**
 * Which Node.js versions racecheck runs on: 20.19+ (the first 20 with `require` of ES modules, which its
 * CommonJS path needs), and from 22 on those with in-thread loader hooks (`module.registerHooks`: 22.15+,
 * 23.5+, 24, 26). Only Node's own modules: the command line checks it before loading anything else.
 */
import Module from 'node:module';

/**
 * This Node runs synchronous loader hooks in each thread (`module.registerHooks`); Node 20 needs a loader
 * thread of its own per thread, started with `module.register`.
 */
export const hasInThreadHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function';

export const SUPPORTED_NODE = 'Node.js 20.19+, 22.15+, 24 or 26';

/** Why this Node cannot run racecheck, or undefined when it can. */
export function unsupportedNode(version: string, hasInThreadHooks: boolean): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major >= 22 && hasInThreadHooks);
  return supported ? undefined : `Node.js ${version} is not supported; racecheck runs on ${SUPPORTED_NODE}`;
}
