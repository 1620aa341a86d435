/**
 * The rule API of the static analyzer, after typescript-eslint's `createRule`: metadata (id, description,
 * docs link, message templates with `{{placeholders}}`) and a `create(context)` that returns a visitor over
 * ts-morph nodes, keyed by SyntaxKind. Rules report through the context; the runner turns reports into
 * findings of the one finding model.
 */
import type { Node, SourceFile, SyntaxKind } from 'ts-morph';
import type { RuleId } from '../core/rules.js';

export interface RuleMeta<MessageId extends string> {
  docs: { description: string; url: string };
  messages: Record<MessageId, string>;
}

export interface Report<MessageId extends string> {
  node: Node;
  messageId: MessageId;
  data?: Record<string, string | number>;
}

export interface RuleContext<MessageId extends string> {
  sourceFile: SourceFile;
  report(report: Report<MessageId>): void;
}

export type Visitor = Partial<Record<SyntaxKind, (node: Node) => void>>;

export interface ProjectContext<MessageId extends string> {
  sourceFiles: readonly SourceFile[];
  report(report: Report<MessageId> & { related?: { node: Node; message: string }[] }): void;
}

export interface StaticRule<MessageId extends string = string> {
  name: RuleId;
  meta: RuleMeta<MessageId>;
  /** Per file: a visitor over its nodes. */
  create?(context: RuleContext<MessageId>): Visitor;
  /** Once over all analyzed files, for rules that follow calls across files. */
  checkProject?(context: ProjectContext<MessageId>): void;
}

export function createRule<MessageId extends string>(rule: StaticRule<MessageId>): StaticRule<MessageId> {
  return rule;
}

/** Fills `{{name}}` placeholders. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

export function docsUrl(id: RuleId): string {
  return `https://github.com/racecheck/racecheck/blob/main/docs/rules/${id}.md`;
}
