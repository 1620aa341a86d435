/**
 * What a value is, asked of the type checker: a racecheck primitive (by its class, declared in racecheck's
 * primitives), and helpers over ts-morph nodes that several rules share.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';

export type PrimitiveName =
  | 'Lock'
  | 'RLock'
  | 'Condition'
  | 'Event'
  | 'Semaphore'
  | 'BoundedSemaphore'
  | 'Barrier'
  | 'Queue'
  | 'Connection'
  | 'Thread'
  | 'Timer';

const PRIMITIVE_DECLARATION = /[\\/]primitives[\\/][^\\/]+\.(d\.)?[cm]?ts$/;

/** The racecheck primitive class of `node`'s type, if it is one. */
export function primitiveOf(node: Node): PrimitiveName | undefined {
  const type = node.getType();
  const symbol = type.getSymbol() ?? type.getAliasSymbol();
  if (!symbol) return undefined;
  const declaration = symbol.getDeclarations()[0];
  if (!declaration || !PRIMITIVE_DECLARATION.test(declaration.getSourceFile().getFilePath())) return undefined;
  return symbol.getName() as PrimitiveName;
}

const LOCK_PRIMITIVES = new Set<string>(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition']);
const ASYNC_MUTEX_DECLARATION = /[\\/]async-mutex[\\/]/;

/** A lock racecheck's rules follow: racecheck's own, or async-mutex's Mutex and Semaphore. */
export function lockKindOf(node: Node): 'racecheck' | 'async-mutex' | undefined {
  const primitive = primitiveOf(node);
  if (primitive && LOCK_PRIMITIVES.has(primitive)) return 'racecheck';
  const symbol = node.getType().getSymbol();
  const declaration = symbol?.getDeclarations()[0];
  if (declaration && ASYNC_MUTEX_DECLARATION.test(declaration.getSourceFile().getFilePath()) && /^(Mutex|Semaphore|MutexInterface|SemaphoreInterface)$/.test(symbol!.getName())) {
    return 'async-mutex';
  }
  return undefined;
}

/** For `receiver.method(…)`: the receiver and the method name. */
export function methodCall(call: CallExpression): { receiver: Node; method: string } | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  return { receiver: callee.getExpression(), method: callee.getName() };
}

/** The function (or the file) a node belongs to: the scope its control flow lives in. */
export function enclosingFunction(node: Node): Node {
  return node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isSourceFile(a)) ?? node.getSourceFile();
}

export function isInsideFunctionOf(node: Node, scope: Node): boolean {
  return enclosingFunction(node) === scope;
}

/** A stable name for what a receiver expression refers to (its symbol when it has one, else its text). */
export function receiverKey(receiver: Node): string {
  const symbol = receiver.getSymbol();
  const declaration = symbol?.getDeclarations()[0];
  return declaration ? `${declaration.getSourceFile().getFilePath()}:${declaration.getStart()}:${receiver.getText()}` : receiver.getText();
}

/** Does the call pass `{ blocking: false }` or `{ block: false }`? */
export function isNonBlockingCall(call: CallExpression): boolean {
  const [options] = call.getArguments();
  if (!options || !Node.isObjectLiteralExpression(options)) return false;
  return options.getProperties().some((property) => {
    if (!Node.isPropertyAssignment(property)) return false;
    const name = property.getName();
    return (name === 'blocking' || name === 'block') && property.getInitializer()?.getKind() === SyntaxKind.FalseKeyword;
  });
}

/** Operators that write their left side. */
export const ASSIGNMENT_OPERATORS: ReadonlySet<SyntaxKind> = new Set([
  SyntaxKind.EqualsToken,
  SyntaxKind.PlusEqualsToken,
  SyntaxKind.MinusEqualsToken,
  SyntaxKind.AsteriskEqualsToken,
  SyntaxKind.SlashEqualsToken,
  SyntaxKind.BarEqualsToken,
  SyntaxKind.AmpersandEqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
]);

/** The first `release()` of the lock named `key` in `scope` after `position` (not in nested functions). */
export function firstReleaseAfter(scope: Node, key: string, position: number): CallExpression | undefined {
  return scope
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter((call) => call.getStart() > position && isInsideFunctionOf(call, scope))
    .find((call) => isReleaseOf(call, key));
}

export function isReleaseOf(call: CallExpression, key: string): boolean {
  const target = methodCall(call);
  return target !== undefined && target.method === 'release' && receiverKey(target.receiver) === key;
}

/** The awaits and yields of a function itself (not of functions nested in it), in source order. */
export function suspensionsIn(scope: Node): Node[] {
  return [...scope.getDescendantsOfKind(SyntaxKind.AwaitExpression), ...scope.getDescendantsOfKind(SyntaxKind.YieldExpression)]
    .filter((node) => isInsideFunctionOf(node, scope))
    .sort((a, b) => a.getStart() - b.getStart());
}
