/**
 * What a module becomes when it loads: one decision shared by the ES module loader hooks and the CommonJS
 * compile wrapper. A library racecheck understands gets its patch; the program's own modules are rewritten
 * — through a cache on disk, because on Node 20 every worker has a loader thread of its own that would
 * otherwise load the parser and rewrite the same modules again, and a run started again (watch mode, a
 * benchmark, a CI retry) would rewrite everything again.
 *
 * A cache entry is keyed by everything the output depends on: the code as it arrives (with the source map
 * tsx put in it), the file's name (call sites name it), the options, and racecheck's transform itself (the
 * contents of the modules that produce the output, and which files of the libraries they use are
 * installed, so a changed transform never reads an old entry).
 * Entries are written whole (a temporary file renamed into place), so threads and processes sharing the
 * directory never read half of one; entries older than 30 days are removed, at most once a day; a cache that cannot be read or written, or a directory another user
 * could write to, is skipped, never an error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { INSTRUMENTED_MARK, libraryPatch, parseWarning, shouldInstrument, type InstrumentScope } from './scope.js';

const require = createRequire(import.meta.url);

/** The transform, loaded on the first cache miss: the parser is most of an instrumented thread's start-up. */
let transform: typeof import('./transform.js') | undefined;

/** The modules whose code decides the output: a change to any of them is a new cache. */
const TRANSFORM_MODULES = ['./transform', './async-plan', './scope', '../schema'];
/** The libraries the transform uses: another installed version (its entry file's size and time) is too. */
const TRANSFORM_LIBRARIES = ['acorn', 'magic-string', '@jridgewell/remapping', '@jridgewell/trace-mapping', 'eslint-scope'];

let fingerprint: string | undefined;

function transformFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    // The extension this module was loaded with: .js when built, .ts when run from sources.
    const extension = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
    for (const module of TRANSFORM_MODULES) hash.update(readFileSync(new URL(module + extension, import.meta.url)));
    for (const library of TRANSFORM_LIBRARIES) {
      const entry = require.resolve(library);
      const { size, mtimeMs } = statSync(entry);
      hash.update(`\0${entry}\0${size}\0${mtimeMs}`);
    }
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

/** An entry for a module with nothing to instrument: instrumented code is never empty. */
const UNCHANGED = '';

function cacheFile(directory: string, code: string, file: string, sourceType: string, scope: InstrumentScope): string {
  const key = createHash('sha256')
    .update(transformFingerprint())
    .update(`\0${file}\0${sourceType}\0${scope.async === true}\0`)
    .update(code)
    .digest('hex');
  return join(directory, `${key}.js`);
}

const trusted = new Map<string, boolean>();

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries written longer ago than this are removed (one still in use is simply written again). */
const KEEP_MS = 30 * DAY_MS;
/** Touched by the last pruning: the directory is looked through at most once a day. */
const PRUNED_MARK = '.pruned';

/**
 * Keeps the directory from growing without end: every edit of a module leaves an entry behind. Old
 * entries, and temporary files a killed process left, go; at most once a day, by whichever thread of
 * whichever run comes first.
 */
function pruneOccasionally(directory: string): void {
  const mark = join(directory, PRUNED_MARK);
  const now = Date.now();
  try {
    if (now - statSync(mark).mtimeMs < DAY_MS) return;
  } catch {
    // Never pruned.
  }
  try {
    writeFileSync(mark, '');
    for (const name of readdirSync(directory)) {
      if (name === PRUNED_MARK) continue;
      const path = join(directory, name);
      const age = now - statSync(path).mtimeMs;
      if (age > KEEP_MS || (name.endsWith('.tmp') && age > DAY_MS)) rmSync(path, { force: true });
    }
  } catch {
    // Another process pruning at the same time, or a file gone meanwhile: next time.
  }
}

/**
 * Entries are code this process will run: the directory must be this user's alone (made private if new),
 * or the cache is not used. Checked once per directory and thread.
 */
function trustedDirectory(directory: string): boolean {
  let verdict = trusted.get(directory);
  if (verdict === undefined) {
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      const stats = statSync(directory);
      const uid = process.getuid?.();
      verdict = stats.isDirectory() && (uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0));
    } catch {
      verdict = false;
    }
    trusted.set(directory, verdict);
    if (verdict) pruneOccasionally(directory);
  }
  return verdict;
}

function readEntry(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function writeEntry(path: string, text: string): void {
  const temporary = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch {
    // A read-only or full disk costs this run its cache, nothing else.
  }
}

/**
 * The code a module runs as: `code` itself, with a library patch, or instrumented. Code the transform
 * cannot parse runs unchanged, with a one-line warning naming the file.
 */
export function instrumentModule(code: string, file: string, sourceType: 'module' | 'script', scope: InstrumentScope): string {
  const patch = libraryPatch(file, scope);
  if (patch) return code + patch;
  if (!shouldInstrument(file, scope) || code.startsWith(INSTRUMENTED_MARK)) return code;
  return instrumented(code, file, sourceType, scope);
}

/** The name a worker's code given as a string goes by in reports (Node's own name for it in stacks). */
export const WORKER_EVAL_NAME = '[worker eval]';

/** A worker's code given as a string (`eval: true`): a CommonJS body, instrumented like a module. */
export function instrumentWorkerCode(code: string, scope: InstrumentScope): string {
  return instrumented(code, WORKER_EVAL_NAME, 'script', scope);
}

function instrumented(code: string, file: string, sourceType: 'module' | 'script', scope: InstrumentScope): string {
  const entry = scope.cacheDir && trustedDirectory(scope.cacheDir) ? cacheFile(scope.cacheDir, code, file, sourceType, scope) : undefined;
  if (entry) {
    const cached = readEntry(entry);
    if (cached !== undefined) return cached === UNCHANGED ? code : cached;
  }
  transform ??= require('./transform.js') as typeof import('./transform.js');
  let output: string | undefined;
  try {
    output = transform.instrumentSource(code, { filename: file, sourceType, async: scope.async === true })?.code;
  } catch (error) {
    writeSync(2, parseWarning(file, error));
    return code;
  }
  if (entry) writeEntry(entry, output ?? UNCHANGED);
  return output ?? code;
}
