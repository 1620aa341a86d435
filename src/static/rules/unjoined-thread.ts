/**
 * A Thread or Worker that is made and never joined, awaited or terminated: the program cannot know when (or
 * whether) it finished, or that it threw. A thread kept in a variable or an array counts as joined when
 * that variable (or a loop over the array) is joined, terminated or awaited through `once(w, 'exit')`;
 * one handed to other code (returned, stored, passed on) is that code's to join.
 */
import { Node, SyntaxKind, type NewExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, primitiveOf } from '../types.js';

export type MessageId = 'neverJoined';

const JOINS = /^(join|joinAsync|terminate)$/;

/**
 * Class names worth asking the type checker about (the expensive part): Thread, Timer and Worker, and the
 * classes of the same file declared `extends Thread`/`extends Timer`.
 */
function mayBeThread(creation: NewExpression, subclasses: ReadonlySet<string>): boolean {
  const name = creation.getExpression().getText();
  return name === 'Thread' || name === 'Timer' || name === 'Worker' || subclasses.has(name);
}

function isThreadCreation(creation: NewExpression, subclasses: ReadonlySet<string>): boolean {
  if (!mayBeThread(creation, subclasses)) return false;
  const type = primitiveOf(creation);
  if (type === 'Thread' || type === 'Timer') return true;
  const name = creation.getType().getSymbol()?.getName();
  const declaration = creation.getType().getSymbol()?.getDeclarations()[0]?.getSourceFile().getFilePath() ?? '';
  if (name === 'Worker' && /worker_threads/.test(declaration)) return true;
  // A subclass of Thread.
  return creation.getType().getBaseTypes().some((base) => base.getSymbol()?.getName() === 'Thread');
}

/** The variable that ends up holding the thread (directly, or an array of threads), if any. */
function holder(creation: NewExpression): Node | undefined {
  for (let at: Node = creation; ; ) {
    const parent = at.getParent();
    if (!parent) return undefined;
    if (Node.isVariableDeclaration(parent)) return parent.getNameNode();
    // new Thread(…).start(): nothing keeps the thread, so nothing can join it.
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === at) return undefined;
    if (Node.isCallExpression(parent)) {
      const callee = parent.getExpression();
      // threads.push(new Thread(…))
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'push' && parent.getArguments().includes(at as never)) return callee.getExpression();
    }
    if (Node.isArrayLiteralExpression(parent) || Node.isParenthesizedExpression(parent) || Node.isArrowFunction(parent) || Node.isReturnStatement(parent) || Node.isBlock(parent) || Node.isCallExpression(parent)) {
      at = parent;
      continue;
    }
    if (Node.isAsExpression(parent) || Node.isNonNullExpression(parent)) {
      at = parent;
      continue;
    }
    return parent;
  }
}

/** Does some use of `name` in `scope` join it, or hand it to other code? */
function joinedOrHandedOn(name: Node, scope: Node): boolean {
  const symbol = name.getSymbol();
  if (!symbol) return true;
  const uses = scope.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id !== name && id.getSymbol() === symbol);
  for (const use of uses) {
    const parent = use.getParent();
    if (!parent) continue;
    // t.join() / t.joinAsync() / w.terminate() / w.on('exit') / w.once('exit')
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === use) {
      const method = parent.getName();
      if (JOINS.test(method)) return true;
      const call = parent.getParent();
      if ((method === 'on' || method === 'once') && call && Node.isCallExpression(call) && call.getArguments()[0]?.getText().includes('exit')) return true;
      // threads.forEach(t => t.join()), threads.map(t => t.joinAsync())
      if (call && Node.isCallExpression(call) && call.getArguments().some((arg) => (Node.isArrowFunction(arg) || Node.isFunctionExpression(arg)) && /\.(join|joinAsync|terminate)\(/.test(arg.getText()))) return true;
      continue;
    }
    // for (const t of threads) … t.join()
    if (Node.isForOfStatement(parent) && parent.getExpression() === use) {
      if (/\.(join|joinAsync|terminate)\(/.test(parent.getStatement().getText())) return true;
      continue;
    }
    // once(w, 'exit'), someone.adopt(t), return t, this.t = t, [t] …: handed on.
    if (Node.isCallExpression(parent) || Node.isReturnStatement(parent) || Node.isArrayLiteralExpression(parent) || Node.isSpreadElement(parent) || Node.isPropertyAssignment(parent) || Node.isShorthandPropertyAssignment(parent)) return true;
    if (Node.isBinaryExpression(parent) && parent.getRight() === use) return true;
  }
  return false;
}

export default createRule<MessageId>({
  name: 'unjoined-thread',
  meta: {
    docs: { description: 'a thread or worker started and never joined, awaited or terminated', url: docsUrl('unjoined-thread') },
    messages: {
      neverJoined: "This {{kind}} is never joined, awaited or terminated: the program cannot know when it finished, or whether it threw. Join it ({{how}}) on every path, or make it a daemon on purpose.",
    },
  },
  create(context) {
    let subclasses: Set<string> | undefined;
    return {
      [SyntaxKind.NewExpression]: (node) => {
        const creation = node as NewExpression;
        subclasses ??= new Set(
          context.sourceFile
            .getClasses()
            .filter((cls) => /^(Thread|Timer)\b/.test(cls.getExtends()?.getText() ?? ''))
            .map((cls) => cls.getName() ?? ''),
        );
        if (!isThreadCreation(creation, subclasses)) return;
        const daemon = creation.getArguments().some((arg) => Node.isObjectLiteralExpression(arg) && /daemon\s*:\s*true/.test(arg.getText()));
        if (daemon) return;
        const name = holder(creation);
        // Something other than a plain variable holds it (a property, an object): not followed here.
        if (name && !Node.isIdentifier(name)) return;
        if (name && joinedOrHandedOn(name, enclosingFunction(name))) return;
        const kind = creation.getExpression().getText();
        context.report({ node: creation, messageId: 'neverJoined', data: { kind, how: kind === 'Worker' ? "await once(worker, 'exit') or terminate()" : 'join() or await joinAsync()' } });
      },
    };
  },
});
