/**
 * Suppression comments, as in ESLint:
 *   // racecheck-disable-next-line data-race -- the counter is only a statistic
 *   /* racecheck-disable data-race *\/ … /* racecheck-enable *\/
 * A directive without rule ids covers every rule. A directive that suppressed nothing is reported as an
 * `unused-suppression` warning. Comments are found with TypeScript's scanner, never with patterns over code.
 */
import { createRequire } from 'node:module';
import type TypeScript from 'typescript';
import { fingerprintOf, severityOf, type Finding } from '../core/findings.js';

/** TypeScript is loaded only for a file that mentions a directive: loading it costs more than most runs. */
let typescript: typeof TypeScript | undefined;
function ts(): typeof TypeScript {
  typescript ??= createRequire(import.meta.url)('typescript') as typeof TypeScript;
  return typescript;
}

interface Directive {
  kind: 'next-line' | 'disable' | 'enable';
  rules: string[];
  line: number;
  column: number;
  used: boolean;
}

const DIRECTIVE = /^\s*racecheck-(disable-next-line|disable|enable)\b([^]*)$/;

function commentBody(text: string): string {
  return text.startsWith('//') ? text.slice(2) : text.slice(2, -2);
}

export function findDirectives(source: string, fileName: string): Directive[] {
  if (!source.includes('racecheck-')) return [];
  const { LanguageVariant, ScriptTarget, SyntaxKind, createScanner } = ts();
  const languageVariant = /\.[jt]sx$/.test(fileName) ? LanguageVariant.JSX : LanguageVariant.Standard;
  const scanner = createScanner(ScriptTarget.Latest, false, languageVariant, source);
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const directives: Directive[] = [];
  for (let token = scanner.scan(); token !== SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token !== SyntaxKind.SingleLineCommentTrivia && token !== SyntaxKind.MultiLineCommentTrivia) continue;
    const match = DIRECTIVE.exec(commentBody(scanner.getTokenText()));
    if (!match) continue;
    const [, kind, rest = ''] = match;
    const rulesText = rest.split('--')[0]!;
    const rules = rulesText.split(/[\s,]+/).filter(Boolean);
    const start = scanner.getTokenStart();
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= start) line++;
    const character = start - lineStarts[line]!;
    directives.push({
      kind: kind === 'disable-next-line' ? 'next-line' : (kind as 'disable' | 'enable'),
      rules,
      line: line + 1,
      column: character + 1,
      used: false,
    });
  }
  return directives;
}

function covers(directive: Directive, rule: string): boolean {
  return directive.rules.length === 0 || directive.rules.includes(rule);
}

/** The directive (if any) that suppresses a finding of `rule` at `line`. */
function suppressing(directives: Directive[], rule: string, line: number): Directive | undefined {
  const nextLine = directives.find((d) => d.kind === 'next-line' && d.line + 1 === line && covers(d, rule));
  if (nextLine) return nextLine;
  let open: Directive | undefined;
  for (const directive of directives) {
    if (directive.line >= line) break;
    if (directive.kind === 'disable' && covers(directive, rule)) open = directive;
    if (directive.kind === 'enable' && open && (directive.rules.length === 0 || directive.rules.includes(rule))) open = undefined;
  }
  return open;
}

export interface SuppressionResult {
  findings: Finding[];
  suppressed: Finding[];
}

/**
 * Drops the findings that directives in their files suppress and adds a warning for each directive that
 * suppressed nothing. `readSource` returns a file's text, or undefined when it cannot be read.
 */
export function applySuppressions(
  findings: Finding[],
  files: Iterable<string>,
  readSource: (file: string) => string | undefined,
  cwd: string,
  /** Rules that ran: a directive naming only rules that did not run is not reported as unused. */
  enabled?: ReadonlySet<string>,
): SuppressionResult {
  const directivesByFile = new Map<string, Directive[]>();
  for (const file of new Set([...files, ...findings.flatMap((f) => (f.location ? [f.location.file] : []))])) {
    const source = readSource(file);
    if (source !== undefined) directivesByFile.set(file, findDirectives(source, file));
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    const directives = finding.location ? directivesByFile.get(finding.location.file) : undefined;
    const directive = directives && finding.location ? suppressing(directives, finding.ruleId, finding.location.line) : undefined;
    if (directive) {
      directive.used = true;
      suppressed.push(finding);
    } else {
      kept.push(finding);
    }
  }
  for (const [file, directives] of directivesByFile) {
    for (const directive of directives) {
      if (directive.used || directive.kind === 'enable') continue;
      if (enabled && directive.rules.length > 0 && !directive.rules.some((rule) => enabled.has(rule))) continue;
      const location = { file, line: directive.line, column: directive.column };
      const what = directive.rules.length > 0 ? ` (no problems were reported from ${directive.rules.map((r) => `'${r}'`).join(', ')})` : '';
      kept.push({
        ruleId: 'unused-suppression',
        severity: severityOf('unused-suppression'),
        message: `Unused racecheck-${directive.kind === 'next-line' ? 'disable-next-line' : 'disable'} directive${what}`,
        location,
        related: [],
        threads: [],
        count: 1,
        fingerprint: fingerprintOf('unused-suppression', [location], cwd, directive.rules.join(',')),
      });
    }
  }
  return { findings: kept, suppressed };
}
