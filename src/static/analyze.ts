/**
 * `racecheck analyze`: loads a TypeScript project with ts-morph (so rules can ask the type checker what a
 * value is), reports files that do not parse as `parse-error` and analyzes the rest, running every enabled
 * rule's visitor over each file's nodes in one walk.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Project, ts, type Node, type SourceFile, type SyntaxKind } from 'ts-morph';
import { FileAccessError } from '../core/errors.js';
import { fingerprintOf, severityOf, sortFindings, type Finding, type SourceLocation } from '../core/findings.js';
import type { RuleId } from '../core/rules.js';
import { formatMessage, type StaticRule, type Visitor } from './rule.js';
import { STATIC_RULES } from './rules/index.js';

export interface StaticAnalysisOptions {
  cwd: string;
  /** Files or folders; default: the project of `tsconfig`. */
  paths?: string[];
  /** A tsconfig.json (default: cwd/tsconfig.json, which must exist when no paths are given). */
  tsconfig?: string;
  rules?: ReadonlySet<RuleId>;
  onProgress?: (done: number, total: number) => void;
}

export interface StaticAnalysisResult {
  findings: Finding[];
  files: string[];
  /** Files that parsed and were analyzed. */
  analyzed: number;
}

const SOURCE_GLOBS = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '!**/node_modules/**', '!**/dist/**', '!**/*.d.ts'];

function loadProject(options: StaticAnalysisOptions): Project {
  const tsconfig = options.tsconfig ? resolve(options.cwd, options.tsconfig) : resolve(options.cwd, 'tsconfig.json');
  if (options.tsconfig && !existsSync(tsconfig)) throw new FileAccessError(`tsconfig not found: ${options.tsconfig}`);
  if (!options.paths?.length) {
    if (!existsSync(tsconfig)) throw new FileAccessError(`no tsconfig.json in ${options.cwd}: name files or folders to analyze, or pass --project`);
    return new Project({ tsConfigFilePath: tsconfig });
  }
  const project = existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({ compilerOptions: { allowJs: true, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } });
  for (const path of options.paths) {
    const full = resolve(options.cwd, path);
    if (!existsSync(full)) throw new FileAccessError(`path not found: ${path}`);
    if (statSync(full).isDirectory()) project.addSourceFilesAtPaths(SOURCE_GLOBS.map((glob) => (glob.startsWith('!') ? `!${full}/${glob.slice(1)}` : `${full}/${glob}`)));
    else project.addSourceFileAtPath(full);
  }
  return project;
}

function location(node: Node): SourceLocation {
  const file = node.getSourceFile();
  const start = file.getLineAndColumnAtPos(node.getStart());
  const end = file.getLineAndColumnAtPos(node.getEnd());
  return { file: file.getFilePath(), line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

function findingOf(rule: StaticRule, node: Node, messageId: string, data: Record<string, string | number> | undefined, cwd: string, related: { node: Node; message: string }[] = []): Finding {
  const at = location(node);
  return {
    ruleId: rule.name,
    severity: severityOf(rule.name),
    message: formatMessage(rule.meta.messages[messageId] ?? messageId, data),
    location: at,
    related: related.map((r) => ({ message: r.message, location: location(r.node) })),
    threads: [],
    count: 1,
    fingerprint: fingerprintOf(rule.name, [{ ...at, functionName: functionNameOf(node) }, ...related.map((r) => ({ ...location(r.node), functionName: functionNameOf(r.node) }))], cwd, messageId),
  };
}

/** Runs the project-wide part of `rules` over `sourceFiles`. */
export function runProjectRules(sourceFiles: readonly SourceFile[], rules: readonly StaticRule[], cwd: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.checkProject?.({
      sourceFiles,
      report: ({ node, messageId, data, related }) => findings.push(findingOf(rule, node, messageId, data, cwd, related)),
    });
  }
  return findings;
}

/** Runs `rules` over one file (their per-file part); used by the analyzer and by the rule tester. */
export function runRules(sourceFile: SourceFile, rules: readonly StaticRule[], cwd: string): Finding[] {
  const findings: Finding[] = [];
  const visitors = new Map<number, ((node: Node) => void)[]>();
  for (const rule of rules) {
    if (!rule.create) continue;
    const visitor: Visitor = rule.create({
      sourceFile,
      report: ({ node, messageId, data }) => findings.push(findingOf(rule, node, messageId, data, cwd)),
    });
    for (const [kind, handler] of Object.entries(visitor)) {
      const list = visitors.get(Number(kind)) ?? [];
      list.push(handler as (node: Node) => void);
      visitors.set(Number(kind), list);
    }
  }
  // Per kind rather than one walk over every node: getDescendantsOfKind filters compiler nodes before making
  // ts-morph wrappers, and wrapping every node was most of the analysis time.
  for (const [kind, handlers] of visitors) {
    for (const node of sourceFile.getDescendantsOfKind(kind as SyntaxKind)) {
      for (const handler of handlers) handler(node);
    }
  }
  return findings;
}

function functionNameOf(node: Node): string {
  const owner = node.getFirstAncestor((a) => 'getName' in a && typeof (a as { getName?: unknown }).getName === 'function' && a.getKindName().includes('Function'));
  return (owner as { getName?(): string | undefined } | undefined)?.getName?.() ?? '';
}

export function analyzeProject(options: StaticAnalysisOptions): StaticAnalysisResult {
  const project = loadProject(options);
  const rules = STATIC_RULES.filter((rule) => !options.rules || options.rules.has(rule.name));
  const sourceFiles = project.getSourceFiles().filter((file) => !file.isDeclarationFile() && !file.isInNodeModules());
  const program = project.getProgram().compilerObject;
  const findings: Finding[] = [];
  const parsed: SourceFile[] = [];
  let analyzed = 0;
  for (const [index, sourceFile] of sourceFiles.entries()) {
    const [syntax] = program.getSyntacticDiagnostics(sourceFile.compilerNode);
    if (syntax) {
      const at = sourceFile.getLineAndColumnAtPos(syntax.start ?? 0);
      const where = { file: sourceFile.getFilePath(), line: at.line, column: at.column };
      findings.push({
        ruleId: 'parse-error',
        severity: severityOf('parse-error'),
        message: `Parsing error: ${ts.flattenDiagnosticMessageText(syntax.messageText, ' ')}; the file was not analyzed`,
        location: where,
        related: [],
        threads: [],
        count: 1,
        fingerprint: fingerprintOf('parse-error', [where], options.cwd),
      });
    } else {
      // Let go of the node wrappers each file made: on a large project they would stay for the whole run.
      project.forgetNodesCreatedInBlock(() => {
        findings.push(...runRules(sourceFile, rules, options.cwd));
      });
      parsed.push(sourceFile);
      analyzed++;
    }
    options.onProgress?.(index + 1, sourceFiles.length);
  }
  findings.push(...runProjectRules(parsed, rules, options.cwd));
  return { findings: sortFindings(findings), files: sourceFiles.map((file) => file.getFilePath()), analyzed };
}
