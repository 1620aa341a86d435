/**
 * An acquire with a path that leaves the function without releasing: an early `return`, a `throw`, a
 * `break`/`continue` out of the region, or no release at all. Exits inside a `try` whose `finally` releases
 * are fine; so is everything after an acquire immediately guarded by such a `try`.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, firstReleaseAfter, isInsideFunctionOf, isReleaseOf, lockKindOf, methodCall, receiverKey } from '../types.js';

export type MessageId = 'exitWithoutRelease' | 'neverReleased';

const EXITS = new Set([SyntaxKind.ReturnStatement, SyntaxKind.ThrowStatement, SyntaxKind.BreakStatement, SyntaxKind.ContinueStatement]);
const JUMP_TARGETS = new Set([SyntaxKind.WhileStatement, SyntaxKind.DoStatement, SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement, SyntaxKind.SwitchStatement]);

function releases(node: Node, key: string): boolean {
  return node.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => isReleaseOf(call, key));
}

/** Is `node` inside a try block (between `from` and it) whose finally releases the lock? */
function guardedByFinally(node: Node, key: string, scope: Node): boolean {
  for (let at: Node | undefined = node.getParent(); at && at !== scope; at = at.getParent()) {
    if (Node.isTryStatement(at)) {
      const finallyBlock = at.getFinallyBlock();
      if (finallyBlock && releases(finallyBlock, key) && at.getTryBlock().containsRange(node.getPos(), node.getEnd())) return true;
    }
  }
  return false;
}

/** A break/continue that stays inside a loop or switch nested in the region does not leave it. */
function leavesRegion(exit: Node, regionStart: number): boolean {
  if (!Node.isBreakStatement(exit) && !Node.isContinueStatement(exit)) return true;
  for (let at: Node | undefined = exit.getParent(); at; at = at.getParent()) {
    if (at.getStart() < regionStart) return true;
    if (JUMP_TARGETS.has(at.getKind())) return false;
  }
  return true;
}

export default createRule<MessageId>({
  name: 'lock-not-released',
  meta: {
    docs: { description: 'a path leaves the function with a lock still held', url: docsUrl('lock-not-released') },
    messages: {
      exitWithoutRelease:
        "This {{exit}} leaves with '{{receiver}}' still held (acquired on line {{line}}). Use {{receiver}}.withLock(() => …), or release in a finally block.",
      neverReleased: "'{{receiver}}' is acquired here and never released in this function. Use {{receiver}}.withLock(() => …), or release in a finally block.",
    },
  },
  create(context) {
    return {
      [SyntaxKind.CallExpression]: (node) => {
        const call = node as CallExpression;
        const target = methodCall(call);
        if (!target || (target.method !== 'acquire' && target.method !== 'acquireAsync')) return;
        if (!lockKindOf(target.receiver)) return;
        // Only an acquire that is a statement of its own: one in a condition (`if (lock.acquire(…))`) is
        // held on one branch only, which this rule does not follow.
        const statement = call.getParent()?.getKind() === SyntaxKind.AwaitExpression ? call.getParent()?.getParent() : call.getParent();
        if (!statement || !Node.isExpressionStatement(statement)) return;
        const scope = enclosingFunction(call);
        const key = receiverKey(target.receiver);
        const data = { receiver: target.receiver.getText(), line: call.getStartLineNumber() };
        if (guardedByFinally(call, key, scope)) return;
        const next = statement.getNextSibling();
        if (next && Node.isTryStatement(next) && next.getFinallyBlock() && releases(next.getFinallyBlock()!, key)) return;
        const release = firstReleaseAfter(scope, key, call.getEnd());
        if (!release) {
          context.report({ node: call, messageId: 'neverReleased', data });
          return;
        }
        const regionStart = call.getEnd();
        const exit = scope
          .getDescendants()
          .filter((d) => EXITS.has(d.getKind()) && d.getStart() > regionStart && d.getStart() < release.getStart() && isInsideFunctionOf(d, scope))
          .find((d) => leavesRegion(d, statement.getStart()) && !guardedByFinally(d, key, scope));
        if (exit) {
          const kind = exit.getKind();
          const word = kind === SyntaxKind.ReturnStatement ? 'return' : kind === SyntaxKind.ThrowStatement ? 'throw' : kind === SyntaxKind.BreakStatement ? 'break' : 'continue';
          context.report({ node: exit, messageId: 'exitWithoutRelease', data: { ...data, exit: word } });
        }
      },
    };
  },
});
