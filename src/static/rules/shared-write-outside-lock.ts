/**
 * A plain write to one fixed element of SharedArrayBuffer-backed memory, in code that several threads run,
 * outside any lock and not through Atomics: every thread writes the same element, so updates are lost.
 * Writes to an element picked by a parameter or a loop variable (each thread its own slot) are left alone.
 */
import { Node, SyntaxKind, type ElementAccessExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { isUnderLock, threadFunctions } from '../threads.js';
import { ASSIGNMENT_OPERATORS, enclosingFunction } from '../types.js';

export type MessageId = 'unprotectedWrite';

const TYPED_ARRAYS = /^(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array$/;

/** A typed array whose buffer may be shared: typed over SharedArrayBuffer, or over any buffer. */
function maybeShared(node: Node): boolean {
  const type = node.getType();
  const name = type.getSymbol()?.getName() ?? '';
  if (!TYPED_ARRAYS.test(name)) return false;
  const [buffer] = type.getTypeArguments();
  const bufferName = buffer?.getSymbol()?.getName() ?? buffer?.getAliasSymbol()?.getName() ?? buffer?.getText() ?? 'ArrayBufferLike';
  return bufferName !== 'ArrayBuffer';
}

function isWrite(access: ElementAccessExpression): boolean {
  const parent = access.getParent();
  if (Node.isBinaryExpression(parent)) return parent.getLeft() === access && ASSIGNMENT_OPERATORS.has(parent.getOperatorToken().getKind());
  if (Node.isPostfixUnaryExpression(parent) || Node.isPrefixUnaryExpression(parent)) {
    const operator = parent.getOperatorToken();
    return operator === SyntaxKind.PlusPlusToken || operator === SyntaxKind.MinusMinusToken;
  }
  return false;
}

export default createRule<MessageId>({
  name: 'shared-write-outside-lock',
  meta: {
    docs: { description: 'a plain write to shared memory in code several threads run, outside any lock', url: docsUrl('shared-write-outside-lock') },
    messages: {
      unprotectedWrite:
        "'{{target}}' is written by every thread that runs '{{fn}}', with no lock held and not through Atomics: concurrent updates are lost. Write it under a Lock, or with Atomics.",
    },
  },
  create(context) {
    let threadCode: Map<Node, { calledUnderLock: boolean }> | undefined;
    return {
      [SyntaxKind.ElementAccessExpression]: (node) => {
        const access = node as ElementAccessExpression;
        if (!isWrite(access)) return;
        const index = access.getArgumentExpression();
        if (!index || !Node.isNumericLiteral(index)) return;
        threadCode ??= threadFunctions(context.sourceFile);
        const fn = enclosingFunction(access);
        const runs = threadCode.get(fn);
        if (!runs || runs.calledUnderLock) return;
        if (!maybeShared(access.getExpression()) || isUnderLock(access)) return;
        const name = (fn as Node & { getName?(): string | undefined }).getName?.() ?? 'the thread function';
        context.report({ node: access, messageId: 'unprotectedWrite', data: { target: access.getText(), fn: name } });
      },
    };
  },
});
