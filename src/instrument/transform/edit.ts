/** What the transform's rewrites share: acorn's nodes as the walk sees them, and the edit in progress. */
import type MagicString from 'magic-string';

export interface Node {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

export interface MemberNode extends Node {
  object: Node;
  property: Node;
  computed: boolean;
  optional: boolean;
}

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Is this node part of an optional chain (`a?.b[c]`)? Then rewriting it would lose the short-circuit. */
export function inOptionalChain(node: Node): boolean {
  let current: Node | undefined = node;
  while (current) {
    if (current.optional === true) return true;
    if (current.type === 'MemberExpression') current = current.object as Node;
    else if (current.type === 'CallExpression') current = current.callee as Node;
    else return false;
  }
  return false;
}

/** One module's edit: its code, the magic-string over it, and the operations every rewrite uses. */
export interface Edit {
  readonly code: string;
  readonly s: MagicString;
  /** The site of `node` in `functionName`, as generated code names it. */
  siteOf(node: Node, functionName: string): string;
  /** Position of the first `token` in code[from, to) outside comments. */
  tokenIn(from: number, to: number, token: string): number;
  /** Opens a call at `position` (see transform.ts). */
  openAt(position: number, text: string): void;
  /** `[` and `]` of a member expression. */
  brackets(member: MemberNode): [open: number, close: number];
}
