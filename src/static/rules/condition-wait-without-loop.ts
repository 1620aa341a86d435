/** `Condition.wait()` must sit in a loop that re-checks its predicate: wake-ups can be spurious or stolen. */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, methodCall, primitiveOf } from '../types.js';

export type MessageId = 'noLoop';

const LOOPS = new Set([SyntaxKind.WhileStatement, SyntaxKind.DoStatement, SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement]);

export default createRule<MessageId>({
  name: 'condition-wait-without-loop',
  meta: {
    docs: { description: 'Condition.wait() not inside a loop that re-checks its predicate', url: docsUrl('condition-wait-without-loop') },
    messages: {
      noLoop:
        "'{{receiver}}.{{method}}()' is not inside a loop: when it returns, the condition may not hold (another thread took the item, or the wake-up was spurious). Wait in a while loop, or use waitFor(predicate).",
    },
  },
  create(context) {
    return {
      [SyntaxKind.CallExpression]: (node) => {
        const call = node as CallExpression;
        const target = methodCall(call);
        if (!target || (target.method !== 'wait' && target.method !== 'waitAsync')) return;
        if (primitiveOf(target.receiver) !== 'Condition') return;
        const scope = enclosingFunction(call);
        for (let at: Node | undefined = call.getParent(); at && at !== scope; at = at.getParent()) {
          if (LOOPS.has(at.getKind())) return;
        }
        context.report({ node: call, messageId: 'noLoop', data: { receiver: target.receiver.getText(), method: target.method } });
      },
    };
  },
});
