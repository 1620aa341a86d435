/**
 * Call sites and source maps: a node's site is where the user wrote it — through the source map the code
 * arrived with (tsx's, for TypeScript) when there is one — and the output's map composes ours with it, so
 * that stack frames inside instrumented code point at the user's source.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Remapping from '@jridgewell/remapping';
import { originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
import type { Comment } from 'acorn';
import type MagicString from 'magic-string';
import { encodeSite } from '../../tracer/schema.js';
import { PROLOGUE } from '../abi.js';

// Source-map composition is needed only for code that arrives with a map (TypeScript through tsx): loaded
// then, as CommonJS, which loads faster in each of the loader threads.
const require = createRequire(import.meta.url);
let remapping: typeof Remapping | undefined;

export function toPath(file: string): string {
  return file.startsWith('file:') ? fileURLToPath(file) : file;
}

/** The inline source map at the end of the code, and the comment that carries it. */
export function inlineMap(comments: Comment[]): { map?: SourceMapInput; comment?: Comment } {
  for (let i = comments.length - 1; i >= 0; i--) {
    const comment = comments[i]!;
    const text = comment.value.trim();
    if (!text.startsWith('# sourceMappingURL=') && !text.startsWith('@ sourceMappingURL=')) continue;
    const url = text.slice('# sourceMappingURL='.length);
    const comma = url.indexOf(',');
    if (url.startsWith('data:') && comma > 0) {
      const header = url.slice(0, comma);
      const body = url.slice(comma + 1);
      const json = header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      try {
        return { map: JSON.parse(json) as SourceMapInput, comment };
      } catch {
        return { comment };
      }
    }
    return { comment };
  }
  return {};
}

interface Located {
  loc?: { start: { line: number; column: number } };
}

/** A module's call sites, each once, in the order the prologue defines them. */
export class SiteTable {
  readonly encoded: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #file: string;
  readonly #tracer: TraceMap | undefined;

  constructor(file: string, inputMap: SourceMapInput | undefined) {
    this.#file = file;
    this.#tracer = inputMap ? new TraceMap(inputMap) : undefined;
  }

  /** The site of `node` in `functionName`, as generated code names it: the module's first id + index. */
  of(node: Located, functionName: string): string {
    const { line, column } = node.loc!.start;
    let site = { file: this.#file, line, column: column + 1, functionName };
    if (this.#tracer) {
      const mapped = originalPositionFor(this.#tracer, { line, column });
      if (mapped.source !== null && mapped.line !== null) {
        site = { file: toPath(mapped.source), line: mapped.line, column: mapped.column + 1, functionName };
      }
    }
    // One id per distinct site: a repeated one would be an alias the reader resolves only for events' own sites.
    const encoded = encodeSite(site);
    let index = this.#index.get(encoded);
    if (index === undefined) {
      index = this.encoded.push(encoded) - 1;
      this.#index.set(encoded, index);
    }
    return `${PROLOGUE.sites} + ${index}`;
  }
}

/** The instrumented code with its source map inline: ours, composed with the one the code came with. */
export function withSourceMap(s: MagicString, file: string, inputMap: SourceMapInput | undefined): string {
  const ours = s.generateMap({ hires: 'boundary', source: file, file, includeContent: false });
  if (inputMap) remapping ??= require('@jridgewell/remapping') as typeof Remapping;
  const map = inputMap && remapping ? remapping([ours as unknown as SourceMapInput, inputMap], () => null) : ours;
  const encoded = Buffer.from(JSON.stringify(map)).toString('base64');
  return `${s.toString()}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${encoded}\n`;
}
