/**
 * A RuleTester in the style of ESLint's: valid and invalid snippets, each analyzed as a TypeScript file of
 * a real project (so `racecheck/primitives` resolves to the built package and the type checker knows its
 * classes), invalid ones with the message ids and lines they must produce — and nothing else.
 */
import { fileURLToPath } from 'node:url';
import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import type { StaticRule } from '../../src/static/rule.js';
import { runProjectRules, runRules } from '../../src/static/analyze.js';

export interface InvalidCase {
  code: string;
  errors: { messageId: string; line: number }[];
  name?: string;
}

export interface Cases {
  valid: (string | { code: string; name?: string })[];
  invalid: InvalidCase[];
}

const root = fileURLToPath(new URL('../..', import.meta.url));
let project: Project | undefined;

function sharedProject(): Project {
  project ??= new Project({
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      skipLibCheck: true,
    },
  });
  return project;
}

let counter = 0;

/** Runs one rule over a snippet; each snippet is its own module inside the repository (not written to disk). */
export function lint(rule: StaticRule, code: string): { messageId: string; line: number; message: string }[] {
  const file = sharedProject().createSourceFile(`${root}test/static/__snippets__/snippet-${++counter}.mts`, code, { overwrite: true });
  try {
    return [...runRules(file, [rule], root), ...runProjectRules([file], [rule], root)].map((finding) => {
      const messageId = Object.entries(rule.meta.messages).find(([, template]) => finding.message.startsWith(template.split('{{')[0]!))?.[0] ?? '?';
      return { messageId, line: finding.location!.line, message: finding.message };
    });
  } finally {
    sharedProject().removeSourceFile(file);
  }
}

export function ruleTester(rule: StaticRule, cases: Cases): void {
  describe(rule.name, () => {
    describe('valid', () => {
      for (const [i, entry] of cases.valid.entries()) {
        const { code, name } = typeof entry === 'string' ? { code: entry, name: undefined } : entry;
        it(name ?? `valid #${i + 1}`, () => {
          expect(lint(rule, code)).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const [i, entry] of cases.invalid.entries()) {
        it(entry.name ?? `invalid #${i + 1}`, () => {
          const got = lint(rule, entry.code).map(({ messageId, line }) => ({ messageId, line }));
          expect(got).toEqual(entry.errors);
        });
      }
    });
  });
}
