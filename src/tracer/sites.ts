/**
 * Call sites: where in the user's code an operation happened. A site is the first stack frame outside
 * racecheck's own code, mapped through source maps to the original TypeScript, interned once per thread:
 * the first time a thread sees a generated position it writes a SiteDefine record; after that the event
 * carries only the id. Only that top frame is captured (with a short stack-trace limit), never whole stacks,
 * so reports name both sides of a race by id lookup and never by replaying anything.
 */
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { encodeSite, EventKind, type Site } from './schema.js';
import type { RingWriter } from './ring.js';

/** Names of the functions instrumentation adds to a user's module (see instrument/transform.ts). */
const INSTRUMENTATION_PREFIX = '__racecheck';

/** racecheck's own code (src/ or dist/): frames there are skipped. */
const ownRoot = new URL('..', import.meta.url).href;
const ownRootPath = fileURLToPath(ownRoot);

interface Frame {
  file: string;
  line: number;
  column: number;
  functionName: string;
}

/** Libraries whose operations racecheck records as the caller's (their frames are not the site). */
const RECORDED_LIBRARIES = /[\\/]node_modules[\\/]async-mutex[\\/]/;

function isOwn(file: string): boolean {
  return file.startsWith(ownRoot) || file.startsWith(ownRootPath) || file.startsWith('node:') || RECORDED_LIBRARIES.test(file);
}

const topUserFrame = (_error: Error, sites: NodeJS.CallSite[]): Frame | undefined => {
  for (const site of sites) {
    const file = site.getFileName();
    if (!file || isOwn(file)) continue;
    // The instrumentation's per-site accessors live in the user's module but are racecheck's code.
    if (site.getFunctionName()?.startsWith(INSTRUMENTATION_PREFIX)) continue;
    return {
      file,
      line: site.getLineNumber() ?? 0,
      column: site.getColumnNumber() ?? 0,
      functionName: site.getFunctionName() ?? site.getMethodName() ?? '',
    };
  }
  return undefined;
};

function toPath(file: string): string {
  return file.startsWith('file:') ? fileURLToPath(file) : file;
}

/** Maps a generated position to the original source when the module has a source map. */
function original(frame: Frame): Site {
  try {
    const map = findSourceMap(frame.file) ?? findSourceMap(toPath(frame.file));
    const entry = map?.findEntry(frame.line - 1, frame.column - 1) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      return {
        file: toPath(entry.originalSource),
        line: entry.originalLine + 1,
        column: (entry.originalColumn ?? 0) + 1,
        functionName: frame.functionName,
      };
    }
  } catch {
    // No usable source map: report the generated position.
  }
  return { file: toPath(frame.file), line: frame.line, column: frame.column, functionName: frame.functionName };
}

export class SiteTable {
  /** file → (line × 2^20 + column) → site id: no string is built per event. */
  readonly #ids = new Map<string, Map<number, number>>();
  readonly #writer: RingWriter;

  constructor(writer: RingWriter) {
    this.#writer = writer;
  }

  /**
   * The id of the caller's site (0 when no frame outside racecheck is on the stack). `entry`, the racecheck
   * function the user called, hides every frame above it: then a few frames suffice, and V8's capture cost
   * grows with the frames it collects (measured 2.2 µs for 3 frames, 6.9 µs for 16).
   */
  capture(entry?: (...args: never[]) => unknown, depth = entry ? 4 : 10): number {
    const savedPrepare = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    let frame: Frame | undefined;
    try {
      Error.prepareStackTrace = topUserFrame;
      Error.stackTraceLimit = depth;
      const holder: { stack?: unknown } = {};
      Error.captureStackTrace(holder, entry);
      frame = holder.stack as Frame | undefined;
    } finally {
      Error.prepareStackTrace = savedPrepare;
      Error.stackTraceLimit = savedLimit;
    }
    if (!frame) return 0;
    let inFile = this.#ids.get(frame.file);
    if (!inFile) {
      inFile = new Map();
      this.#ids.set(frame.file, inFile);
    }
    const position = frame.line * 2 ** 20 + frame.column;
    let id = inFile.get(position);
    if (id === undefined) {
      id = this.#writer.nextSiteId();
      inFile.set(position, id);
      this.#writer.recordText(EventKind.SiteDefine, id, encodeSite(original(frame)));
    }
    return id;
  }
}
