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
 * directory never read half of one; entries older than 30 days are removed, at most once a day. Entries
 * are code this process runs, and pruning deletes files: racecheck uses only a directory that is the
 * user's alone and carries its marker, opens nothing through a symlink, and runs an entry only when its
 * keyed hash (the user's secret, kept in the directory with mode 0600) holds. Anything else is a cache
 * miss with a one-line warning, never an error.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { isPrivateDirectory, isPrivateFile } from '../../core/private-dir.js';
import { tellFailure } from '../../core/program-status.js';
import { readRegularBytes } from '../../core/safe-files.js';
import { INSTRUMENTED_MARK } from '../abi.js';
import { libraryPatch, parseWarning, shouldInstrument, type InstrumentScope } from './scope.js';

const require = createRequire(import.meta.url);

/** The transform, loaded on the first cache miss: the parser is most of an instrumented thread's start-up. */
let transform: typeof import('../transform/transform.js') | undefined;

/** The modules whose code decides the output (beside every module of transform/): a change to any is a new cache. */
const TRANSFORM_MODULES = ['./scope', '../abi', '../../tracer/schema', '../../core/run-protocol'];
/** The libraries the transform uses: another installed version (its entry file's size and time) is too. */
const TRANSFORM_LIBRARIES = ['acorn', 'magic-string', '@jridgewell/remapping', '@jridgewell/trace-mapping', 'eslint-scope'];

let fingerprint: string | undefined;

function transformFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    // The extension this module was loaded with: .js when built, .ts when run from sources.
    const extension = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
    const transformDir = new URL('../transform/', import.meta.url);
    const transformModules = readdirSync(transformDir).filter((name) => name.endsWith(extension)).sort().map((name) => `../transform/${name.slice(0, -extension.length)}`);
    for (const module of [...transformModules, ...TRANSFORM_MODULES]) hash.update(readFileSync(new URL(module + extension, import.meta.url)));
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

/** A cache entry's file name: the key, hex. Nothing else in the directory is ever read or removed as one. */
const ENTRY_NAME = /^[0-9a-f]{64}\.js$/;
/** A temporary file an entry is written through (a killed writer may leave one). */
const TEMPORARY_NAME = /^[0-9a-f]{64}\.js\.\d+-\d+\.tmp$/;
/** First line of every entry: the format and a keyed hash (HMAC-SHA256, the user's secret) of the rest. */
const ENTRY_HEADER = '//racecheck-cache:v1:';
const ENTRY_HEADER_BYTES = ENTRY_HEADER.length + 64 + 1;
/** Made with the directory: racecheck prunes and reads only a directory that carries it. */
const MARKER = '.racecheck-cache';
const MARKER_TEXT = 'This directory is a racecheck cache of instrumented modules; racecheck may remove its entries.\n';
/** The user's secret (mode 0600) the entries' hashes are keyed with: an entry another user wrote fails. */
const KEY_FILE = '.racecheck-key';
/** Entries are modules: none is this large. */
const ENTRY_LIMIT_BYTES = 64 * 1024 * 1024;

function entryName(code: string, file: string, sourceType: string, scope: InstrumentScope): string {
  const key = createHash('sha256')
    .update(transformFingerprint())
    .update(`\0${file}\0${sourceType}\0${scope.async === true}\0`)
    .update(code)
    .digest('hex');
  return `${key}.js`;
}

interface CacheRoot {
  directory: string;
  key: Buffer;
}

const roots = new Map<string, CacheRoot | null>();
const warned = new Set<string>();

/** One line, once per thread and problem: a cache racecheck will not use is no error, but the user should know. */
function warnOnce(what: string, text: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  writeSync(2, `racecheck: warning: ${text}\n`);
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries written longer ago than this are removed (one still in use is simply written again). */
const KEEP_MS = 30 * DAY_MS;
/** Touched by the last pruning: the directory is looked through at most once a day. */
const PRUNED_MARK = '.pruned';

/** Reads a file of this user's that nobody else can write, without following a symlink; or undefined. */
function readPrivate(path: string, limit: number, accept: (stats: Stats) => boolean = isPrivateFile): Buffer | undefined {
  return readRegularBytes(path, { limit, followLinks: false, accept });
}

/**
 * Keeps the directory from growing without end: every edit of a module leaves an entry behind. Only
 * racecheck's own entries go — its name pattern, a regular file of this user's (never a symlink's target),
 * its header — and temporary files a killed writer left; at most once a day.
 */
function pruneOccasionally(directory: string): void {
  const mark = join(directory, PRUNED_MARK);
  const now = Date.now();
  try {
    if (now - lstatSync(mark).mtimeMs < DAY_MS) return;
  } catch {
    // Never pruned.
  }
  try {
    writeFileSync(mark, '', { flag: 'w', mode: 0o600 });
    for (const name of readdirSync(directory)) {
      const entry = ENTRY_NAME.test(name);
      if (!entry && !TEMPORARY_NAME.test(name)) continue;
      const path = join(directory, name);
      const stats = lstatSync(path);
      if (!isPrivateFile(stats)) continue;
      const age = now - stats.mtimeMs;
      if (entry ? age <= KEEP_MS : age <= DAY_MS) continue;
      if (entry && readRegularBytes(path, { limit: 0, prefix: ENTRY_HEADER.length, followLinks: false, accept: isPrivateFile })?.toString('latin1') !== ENTRY_HEADER) continue;
      rmSync(path, { force: true });
    }
  } catch {
    // Another process pruning at the same time, or a file gone meanwhile: next time.
  }
}

/** The user's secret, made with the directory; undefined if what is there is not a private 32-byte file. */
function cacheKey(directory: string): Buffer | undefined {
  const path = join(directory, KEY_FILE);
  try {
    writeFileSync(path, randomBytes(32), { flag: 'wx', mode: 0o600 });
  } catch {
    // There already: read it.
  }
  // Checked on the open file: nobody but the user may even read the key.
  const key = readPrivate(path, 32, (stats) => isPrivateFile(stats) && (stats.mode & 0o077) === 0);
  return key?.length === 32 ? key : undefined;
}

/**
 * The cache directory, if racecheck may use it: private to this user (core/private-dir.ts), made by
 * racecheck (it carries the marker; a new, empty directory gets one), with the user's key. Anything else
 * is not used — no entry read, nothing removed — with a warning. Checked once per directory and thread.
 */
function cacheRoot(directory: string): CacheRoot | undefined {
  let root = roots.get(directory);
  if (root !== undefined) return root ?? undefined;
  root = null;
  if (!isPrivateDirectory(directory, { create: true })) {
    warnOnce(directory, `the cache directory ${directory} is not this user's alone (a symlink, or others may write to it or above it): instrumented modules are not cached`);
  } else {
    const marker = join(directory, MARKER);
    let marked = readPrivate(marker, 4096)?.toString('utf8') === MARKER_TEXT;
    if (!marked && readdirSync(directory).length === 0) {
      try {
        writeFileSync(marker, MARKER_TEXT, { flag: 'wx', mode: 0o600 });
        marked = true;
      } catch {
        // Made meanwhile by another thread: read again.
        marked = readPrivate(marker, 4096)?.toString('utf8') === MARKER_TEXT;
      }
    }
    const key = marked ? cacheKey(directory) : undefined;
    if (!marked) warnOnce(directory, `${directory} is not a racecheck cache (it holds other files): instrumented modules are not cached there`);
    else if (!key) warnOnce(directory, `the cache key in ${directory} is not a private file of this user's: instrumented modules are not cached`);
    else {
      root = { directory, key };
      pruneOccasionally(directory);
    }
  }
  roots.set(directory, root);
  return root ?? undefined;
}

function entryHash(root: CacheRoot, name: string, body: string): string {
  return createHmac('sha256', root.key).update(name).update('\0').update(body).digest('hex');
}

/** An entry's body if it is racecheck's, written for this user (its keyed hash holds); else undefined. */
function readEntry(root: CacheRoot, name: string): string | undefined {
  const bytes = readPrivate(join(root.directory, name), ENTRY_LIMIT_BYTES);
  if (!bytes) return undefined;
  const text = bytes.toString('utf8');
  const body = text.slice(ENTRY_HEADER_BYTES);
  if (text.startsWith(ENTRY_HEADER) && text[ENTRY_HEADER_BYTES - 1] === '\n' && text.slice(ENTRY_HEADER.length, ENTRY_HEADER_BYTES - 1) === entryHash(root, name, body)) return body;
  warnOnce(`${root.directory}:entry`, `a cache entry in ${root.directory} failed its check (not written by racecheck for this user, or changed since): it is not used`);
  return undefined;
}

function writeEntry(root: CacheRoot, name: string, body: string): void {
  const path = join(root.directory, name);
  const temporary = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    writeFileSync(temporary, `${ENTRY_HEADER}${entryHash(root, name, body)}\n${body}`, { flag: 'wx', mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // A read-only or full disk costs this run its cache, nothing else.
    rmSync(temporary, { force: true });
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

/**
 * instrumentModule for the loaders: a failure of racecheck's own code (anything but the parse errors the
 * transform already reports) must not become the program's failure. The module runs as it is, and
 * `racecheck run` is told, to end with a tool error after reporting what was traced.
 */
export function instrumentSafely(code: string, file: string, sourceType: 'module' | 'script', scope: InstrumentScope): string {
  try {
    return instrumentModule(code, file, sourceType, scope);
  } catch (error) {
    tellFailure('RACECHECK_INSTRUMENT', `racecheck could not instrument ${file}: ${(error as Error).message ?? String(error)}`);
    return code;
  }
}

/** The name a worker's code given as a string goes by in reports (Node's own name for it in stacks). */
export const WORKER_EVAL_NAME = '[worker eval]';

/** A worker's code given as a string (`eval: true`): a CommonJS body, instrumented like a module. */
export function instrumentWorkerCode(code: string, scope: InstrumentScope): string {
  return instrumented(code, WORKER_EVAL_NAME, 'script', scope);
}

function instrumented(code: string, file: string, sourceType: 'module' | 'script', scope: InstrumentScope): string {
  const root = scope.cacheDir ? cacheRoot(scope.cacheDir) : undefined;
  const name = root ? entryName(code, file, sourceType, scope) : undefined;
  if (root && name) {
    const cached = readEntry(root, name);
    if (cached !== undefined) return cached === UNCHANGED ? code : cached;
  }
  transform ??= require('../transform/transform.js') as typeof import('../transform/transform.js');
  let output: string | undefined;
  try {
    output = transform.instrumentSource(code, { filename: file, sourceType, async: scope.async === true })?.code;
  } catch (error) {
    writeSync(2, parseWarning(file, error));
    return code;
  }
  if (root && name) writeEntry(root, name, output ?? UNCHANGED);
  return output ?? code;
}
