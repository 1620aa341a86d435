/**
 * Which code runs in several threads, and which code holds a lock: shared by the rules that ask. Thread
 * code is a function given as a Thread's or Timer's target (`target: fn` or `target: 'name'` of this file),
 * a `run()` method of a Thread subclass, and the functions of the same file those call directly.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { enclosingFunction, methodCall, primitiveOf } from './types.js';

function isThreadClass(node: Node): boolean {
  for (let type = node.getType(); type; ) {
    const name = type.getSymbol()?.getName();
    if ((name === 'Thread' || name === 'Timer') && primitiveOf(node) !== undefined) return true;
    const base = type.getBaseTypes()[0];
    if (!base) return false;
    if (base.getSymbol()?.getName() === 'Thread') return true;
    type = base;
  }
  return false;
}

/**
 * The functions of `file` that thread workers run, each with whether every call reaching it from thread
 * code holds a lock (a helper only ever called inside `withLock` runs protected).
 */
export function threadFunctions(file: SourceFile): Map<Node, { calledUnderLock: boolean }> {
  const functions = new Set<Node>();
  const addByReference = (reference: Node | undefined): void => {
    if (!reference) return;
    if (Node.isStringLiteral(reference)) {
      const declared = file.getFunction(reference.getLiteralValue());
      if (declared) functions.add(declared);
      return;
    }
    for (const declaration of reference.getSymbol()?.getDeclarations() ?? []) {
      if (Node.isFunctionDeclaration(declaration)) functions.add(declaration);
      if (Node.isVariableDeclaration(declaration)) {
        const initializer = declaration.getInitializer();
        if (initializer && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) functions.add(initializer);
      }
    }
  };
  for (const creation of file.getDescendantsOfKind(SyntaxKind.NewExpression)) {
    const name = creation.getExpression().getText();
    if (name !== 'Thread' && name !== 'Timer') continue;
    const type = primitiveOf(creation);
    if (type !== 'Thread' && type !== 'Timer') continue;
    const args = creation.getArguments();
    if (type === 'Timer') addByReference(args[1]);
    const [options] = args;
    if (options && Node.isObjectLiteralExpression(options)) {
      const target = options.getProperty('target');
      if (target && Node.isPropertyAssignment(target)) addByReference(target.getInitializer());
      if (target && Node.isShorthandPropertyAssignment(target)) addByReference(target.getNameNode());
    }
  }
  for (const cls of file.getClasses()) {
    // By name first: asking the type checker about every class is the expensive part.
    if (!/^(Thread|Timer)\b/.test(cls.getExtends()?.getText() ?? '') || !isThreadClass(cls)) continue;
    const run = cls.getMethod('run');
    if (run) functions.add(run);
  }
  const result = new Map<Node, { calledUnderLock: boolean }>([...functions].map((fn) => [fn, { calledUnderLock: false }]));
  // One level of calls: helpers of the same file that thread code calls directly.
  for (const fn of functions) {
    for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isIdentifier(callee)) continue;
      for (const declaration of callee.getSymbol()?.getDeclarations() ?? []) {
        if (!Node.isFunctionDeclaration(declaration) || declaration.getSourceFile() !== file || functions.has(declaration)) continue;
        const underLock = isUnderLock(call);
        const known = result.get(declaration);
        result.set(declaration, { calledUnderLock: (known?.calledUnderLock ?? true) && underLock });
      }
    }
  }
  return result;
}

const LOCK_TYPES = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition']);

/** Is `node` inside a critical section: a withLock-style callback, or between acquire() and release() of one lock? */
export function isUnderLock(node: Node): boolean {
  for (let at = node.getParent(); at; at = at.getParent()) {
    if (Node.isArrowFunction(at) || Node.isFunctionExpression(at)) {
      const call = at.getParent();
      if (call && Node.isCallExpression(call)) {
        const target = methodCall(call);
        if (target && /^(withLock|withLockAsync|withPermit|withPermitAsync|runExclusive)$/.test(target.method)) return true;
      }
    }
  }
  const scope = enclosingFunction(node);
  const position = node.getStart();
  const held = new Map<string, number>();
  for (const call of scope.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (call.getStart() > position || enclosingFunction(call) !== scope) continue;
    const target = methodCall(call);
    if (!target || !LOCK_TYPES.has(primitiveOf(target.receiver) ?? '')) continue;
    const key = target.receiver.getText();
    if (target.method === 'acquire' || target.method === 'acquireAsync') held.set(key, (held.get(key) ?? 0) + 1);
    if (target.method === 'release') held.set(key, (held.get(key) ?? 0) - 1);
  }
  return [...held.values()].some((count) => count > 0);
}
