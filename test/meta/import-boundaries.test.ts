/**
 * Keeps the layering of ARCHITECTURE.md true: each folder of src/ may import only the folders listed for
 * it. Imports are read with the TypeScript parser, not patterns over text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src', import.meta.url));

/** Folder → folders it may import (besides itself). Why: see ARCHITECTURE.md. */
const allowed: Record<string, string[]> = {
  core: [],
  tracer: ['core'],
  instrument: ['core', 'tracer'],
  primitives: ['core', 'tracer'],
  analyzer: ['core', 'tracer'],
  static: ['core', 'analyzer'],
  report: ['core'],
  session: ['core', 'tracer', 'instrument', 'analyzer', 'primitives', 'report'],
  api: ['core', 'tracer', 'analyzer', 'static', 'report', 'session'],
  cli: ['core', 'api'],
  vitest: ['core', 'api'],
  index: ['core', 'primitives', 'tracer', 'analyzer', 'report', 'session', 'static'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function layerOf(file: string): string {
  const path = relative(src, file);
  const first = path.split(/[\\/]/)[0]!;
  return first.endsWith('.ts') ? first.replace(/\.ts$/, '') : first;
}

function relativeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) found.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith('.'));
}

describe('import boundaries', () => {
  it('every folder of src/ imports only what ARCHITECTURE.md allows', () => {
    const violations: string[] = [];
    for (const file of filesUnder(src)) {
      const from = layerOf(file);
      for (const specifier of relativeImports(file)) {
        const to = layerOf(resolve(dirname(file), specifier));
        if (to !== from && !(allowed[from] ?? []).includes(to)) {
          violations.push(`${relative(src, file)} imports ${specifier} (${from} → ${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('nothing imports the CLI', () => {
    const importers = filesUnder(src).filter(
      (file) => layerOf(file) !== 'cli' && relativeImports(file).some((s) => layerOf(resolve(dirname(file), s)) === 'cli'),
    );
    expect(importers).toEqual([]);
  });
});
