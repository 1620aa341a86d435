/**
 * A read of shared state before an `await` whose value flows into a write of the same state after it: while
 * the task was suspended another task may have written the state, and that update is lost. Shared state is
 * a module-level or captured variable, or a property of an object that is not a fresh local. Unlike
 * ESLint's require-atomic-updates, racecheck only reports a write whose value depends on the stale read, and
 * never on locals, parameters or objects made in the function; a lock held around both (withLockAsync,
 * runExclusive, acquireAsync…release) makes it safe.
 */
import { Node, SyntaxKind, type BinaryExpression } from 'ts-morph';
import { createRule, docsUrl } from '../rule.js';
import { isUnderLock } from '../threads.js';
import { ASSIGNMENT_OPERATORS, enclosingFunction, isInsideFunctionOf, suspensionsIn } from '../types.js';

export type MessageId = 'staleWrite';


/** The identifier a target is rooted at: `x` for `x`, `obj` for `obj.a.b`, undefined for `this.x`. */
function rootOf(target: Node): Node | undefined {
  let at = target;
  while (Node.isPropertyAccessExpression(at) || Node.isElementAccessExpression(at)) at = at.getExpression();
  return Node.isIdentifier(at) ? at : Node.isThisExpression(at) ? at : undefined;
}

/** Is the state named by `target` shared with other tasks, seen from `scope`? */
function isShared(target: Node, scope: Node): boolean {
  const root = rootOf(target);
  if (!root) return false;
  if (Node.isThisExpression(root)) return Node.isPropertyAccessExpression(target) || Node.isElementAccessExpression(target);
  const declaration = root.getSymbol()?.getDeclarations()[0];
  if (!declaration) return false;
  // Declared in this function (a local or a parameter): another task has its own copy of the variable (a
  // parameter's object, though, came from the caller and may be shared)…
  if (isInsideFunctionOf(declaration, scope) || declaration.getParent() === scope) {
    if (root === target) return false;
    // …and so does a property of an object this function made.
    if (Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      if (!initializer || Node.isObjectLiteralExpression(initializer) || Node.isArrayLiteralExpression(initializer) || Node.isNewExpression(initializer)) return false;
    }
    return true;
  }
  return true;
}

function reads(node: Node, target: string): Node | undefined {
  if (node.getText() === target) return node;
  return node.getDescendants().find((d) => (Node.isIdentifier(d) || Node.isPropertyAccessExpression(d) || Node.isElementAccessExpression(d)) && d.getText() === target);
}

export default createRule<MessageId>({
  name: 'atomic-update-across-await',
  meta: {
    docs: { description: 'shared state written from a value read before an await', url: docsUrl('atomic-update-across-await') },
    messages: {
      staleWrite:
        "'{{target}}' is written from a value read before the {{what}} on line {{line}}: another task may have written it meanwhile, and that update is lost. Hold an async lock around the read and the write, or recompute after the {{what}}.",
    },
  },
  create(context) {
    const suspensionsOf = new Map<Node, Node[]>();
    return {
      [SyntaxKind.BinaryExpression]: (node) => {
        const assignment = node as BinaryExpression;
        if (!ASSIGNMENT_OPERATORS.has(assignment.getOperatorToken().getKind())) return;
        const scope = enclosingFunction(assignment);
        if (!Node.isAsyncable(scope) || !scope.isAsync()) return;
        const target = assignment.getLeft();
        if (!isShared(target, scope)) return;
        const text = target.getText();
        const right = assignment.getRight();
        const compound = assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken;
        let all = suspensionsOf.get(scope);
        if (!all) {
          all = suspensionsIn(scope);
          suspensionsOf.set(scope, all);
        }
        const suspensions = all.filter((d) => d.getStart() < assignment.getEnd());
        for (const suspension of suspensions) {
          // The stale read: in the same expression before the await (`x += await f()`, `x = x + await f()`),
          // or in a local initialised before the await and used in the write.
          let stale: Node | undefined;
          if (right.containsRange(suspension.getPos(), suspension.getEnd())) {
            stale = compound ? target : right.getDescendants().find((d) => d.getText() === text && d.getEnd() <= suspension.getStart());
          } else if (suspension.getEnd() <= assignment.getStart()) {
            for (const local of right.getDescendantsOfKind(SyntaxKind.Identifier).concat(Node.isIdentifier(right) ? [right] : [])) {
              const declaration = local.getSymbol()?.getDeclarations()[0];
              if (!declaration || !Node.isVariableDeclaration(declaration) || !isInsideFunctionOf(declaration, scope)) continue;
              const initializer = declaration.getInitializer();
              if (!initializer || declaration.getEnd() > suspension.getStart()) continue;
              if (reads(initializer, text)) stale = initializer;
            }
            if (compound && !stale) {
              const earlier = scope.getDescendants().find((d) => d.getText() === text && d.getEnd() <= suspension.getStart() && isInsideFunctionOf(d, scope) && d !== target);
              if (earlier && Node.isVariableDeclaration(earlier.getParent() ?? earlier)) stale = earlier;
            }
          }
          if (!stale) continue;
          if (isUnderLock(assignment) && isUnderLock(stale)) return;
          context.report({
            node: assignment,
            messageId: 'staleWrite',
            data: { target: text, what: Node.isAwaitExpression(suspension) ? 'await' : 'yield', line: suspension.getStartLineNumber() },
          });
          return;
        }
      },
    };
  },
});
