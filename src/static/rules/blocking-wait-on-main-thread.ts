/**
 * A blocking wait (acquire, wait, get, join, recv, Atomics.wait) in code that runs on the main thread: it
 * freezes the event loop — timers, I/O, every other task — until it returns. Main-thread code is what runs
 * under `if (isMainThread)`, and the functions of the same file called directly from there.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, isNonBlockingCall, methodCall, primitiveOf, type PrimitiveName } from '../types.js';

export type MessageId = 'blockingOnMain';

const BLOCKING: Partial<Record<PrimitiveName, { methods: string[]; instead: string }>> = {
  Lock: { methods: ['acquire', 'withLock'], instead: 'acquireAsync()/withLockAsync()' },
  RLock: { methods: ['acquire', 'withLock'], instead: 'acquireAsync()/withLockAsync()' },
  Semaphore: { methods: ['acquire', 'withPermit'], instead: 'acquireAsync()/withPermitAsync()' },
  BoundedSemaphore: { methods: ['acquire', 'withPermit'], instead: 'acquireAsync()/withPermitAsync()' },
  Condition: { methods: ['acquire', 'wait', 'waitFor', 'withLock'], instead: 'the async forms (waitAsync, waitForAsync, acquireAsync)' },
  Event: { methods: ['wait'], instead: 'waitAsync()' },
  Barrier: { methods: ['wait'], instead: 'waitAsync()' },
  // put() is left out: it waits only when a bounded queue is full, which the types do not say.
  Queue: { methods: ['get', 'join'], instead: 'getAsync()/joinAsync()' },
  Connection: { methods: ['recv'], instead: 'recvAsync()' },
  Thread: { methods: ['join'], instead: 'joinAsync()' },
  Timer: { methods: ['join'], instead: 'joinAsync()' },
};

const BLOCKING_METHODS = new Set(['wait', ...Object.values(BLOCKING).flatMap((b) => b.methods)]);

function isMainThreadGuard(node: Node): boolean {
  if (!Node.isIfStatement(node)) return false;
  const condition = node.getExpression();
  return (Node.isIdentifier(condition) && condition.getText() === 'isMainThread') || (Node.isPropertyAccessExpression(condition) && condition.getName() === 'isMainThread');
}

/** Is `node` under an `if (isMainThread)` consequent, without a function boundary in between? */
function inMainThreadBlock(node: Node): boolean {
  let child: Node = node;
  for (let at = node.getParent(); at; child = at, at = at.getParent()) {
    if (Node.isFunctionLikeDeclaration(at) || Node.isClassDeclaration(at)) return false;
    if (isMainThreadGuard(at) && (at as Node & { getThenStatement(): Node }).getThenStatement() === child) return true;
  }
  return false;
}

/** Names of the functions of this file called directly from main-thread blocks. */
function mainThreadFunctions(file: Node): Set<Node> {
  const functions = new Set<Node>();
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (!inMainThreadBlock(call)) continue;
    const callee = call.getExpression();
    if (!Node.isIdentifier(callee)) continue;
    for (const declaration of callee.getSymbol()?.getDeclarations() ?? []) {
      if (declaration.getSourceFile() === file.getSourceFile() && Node.isFunctionDeclaration(declaration)) functions.add(declaration);
    }
  }
  return functions;
}

export default createRule<MessageId>({
  name: 'blocking-wait-on-main-thread',
  meta: {
    docs: { description: 'a blocking wait on the main thread freezes its event loop', url: docsUrl('blocking-wait-on-main-thread') },
    messages: {
      blockingOnMain:
        "'{{call}}' blocks the main thread: its event loop (timers, I/O, every other task) stops until it returns. Use {{instead}}.",
    },
  },
  create(context) {
    let mainFunctions: Set<Node> | undefined;
    const report = (call: CallExpression, text: string, instead: string): void => {
      mainFunctions ??= mainThreadFunctions(context.sourceFile);
      if (inMainThreadBlock(call) || mainFunctions.has(enclosingFunction(call))) {
        context.report({ node: call, messageId: 'blockingOnMain', data: { call: text, instead } });
      }
    };
    return {
      [SyntaxKind.CallExpression]: (node) => {
        const call = node as CallExpression;
        const target = methodCall(call);
        // Names first: asking the type checker is the expensive part.
        if (!target || !BLOCKING_METHODS.has(target.method)) return;
        if (Node.isIdentifier(target.receiver) && target.receiver.getText() === 'Atomics' && target.method === 'wait') {
          report(call, 'Atomics.wait()', 'Atomics.waitAsync()');
          return;
        }
        const primitive = primitiveOf(target.receiver);
        const blocking = primitive ? BLOCKING[primitive] : undefined;
        if (!blocking || !blocking.methods.includes(target.method) || isNonBlockingCall(call)) return;
        report(call, `${target.receiver.getText()}.${target.method}()`, blocking.instead);
      },
    };
  },
});
