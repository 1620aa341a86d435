/**
 * A cross-thread lock taken with the blocking `acquire()` and held across an `await`: while this task is
 * suspended, any other task of the same thread that calls `acquire()` blocks the whole thread — including
 * the task that would release the lock.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, firstReleaseAfter, methodCall, primitiveOf, receiverKey, suspensionsIn } from '../types.js';

export type MessageId = 'heldAcrossAwait';

const LOCKS = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition']);

export default createRule<MessageId>({
  name: 'lock-held-across-await',
  meta: {
    docs: { description: 'a blocking cross-thread lock held across an await', url: docsUrl('lock-held-across-await') },
    messages: {
      heldAcrossAwait:
        "'{{receiver}}' is taken with the blocking acquire() and still held at this {{what}} (line {{line}}): another task of this thread that calls acquire() would block the whole thread. Use acquireAsync()/withLockAsync(), or release before awaiting.",
    },
  },
  create(context) {
    return {
      [SyntaxKind.CallExpression]: (node) => {
        const call = node as CallExpression;
        const target = methodCall(call);
        if (!target || target.method !== 'acquire' || !LOCKS.has(primitiveOf(target.receiver) ?? '')) return;
        const scope = enclosingFunction(call);
        if (!Node.isAsyncable(scope) || !scope.isAsync()) return;
        const key = receiverKey(target.receiver);
        const start = call.getEnd();
        const release = firstReleaseAfter(scope, key, start);
        const end = release?.getStart() ?? scope.getEnd();
        const suspension = suspensionsIn(scope).find((d) => d.getStart() > start && d.getStart() < end);
        if (!suspension) return;
        context.report({
          node: call,
          messageId: 'heldAcrossAwait',
          data: {
            receiver: target.receiver.getText(),
            what: Node.isAwaitExpression(suspension) ? 'await' : 'yield',
            line: suspension.getStartLineNumber(),
          },
        });
      },
    };
  },
});
