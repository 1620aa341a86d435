/**
 * Two code paths take the same two locks in opposite orders. Locks are identified by their declaration (a
 * module-level lock, a class field), acquisitions followed through `withLock`-style callbacks and through
 * calls to functions of the project (what a callee may take counts as taken while the caller's locks are
 * held). The cycles come from the same lock-order graph the runtime analyzer uses.
 */
import { Node, type SourceFile } from 'ts-morph';
import { LockGraph } from '../../analyzer/lock-graph.js';
import { createRule, docsUrl } from '../rule.js';
import { methodCall, primitiveOf } from '../types.js';

export type MessageId = 'inversion';

const LOCKS = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition']);
const SCOPED = /^(withLock|withLockAsync|withPermit|withPermitAsync)$/;

type FunctionNode = Node;

interface Step {
  kind: 'acquire' | 'release' | 'call';
  lock?: string;
  node: Node;
  callee?: FunctionNode;
  /** For scoped acquisitions: the steps inside the callback. */
  inner?: Step[];
}

/** A lock's identity: its declaration (a parameter is only itself, so it never matches another function's). */
function lockKey(receiver: Node): string | undefined {
  if (!LOCKS.has(primitiveOf(receiver) ?? '')) return undefined;
  const declaration = receiver.getSymbol()?.getDeclarations()[0];
  if (!declaration) return undefined;
  return `${declaration.getSourceFile().getFilePath()}:${declaration.getStart()}`;
}

function lockName(receiver: Node): string {
  return receiver.getText().replace(/^this\./, '');
}

/** The acquisitions, releases and calls of a body, in order, not entering nested functions except scoped callbacks. */
function steps(body: Node): Step[] {
  const result: Step[] = [];
  const visit = (node: Node): void => {
    if (Node.isCallExpression(node)) {
      const target = methodCall(node);
      const key = target ? lockKey(target.receiver) : undefined;
      if (target && key && (target.method === 'acquire' || target.method === 'acquireAsync')) {
        node.getArguments().forEach(visit);
        // Only acquisitions that wait count: a try-acquire gives up instead of deadlocking.
        const [options] = node.getArguments();
        if (!options || !/blocking\s*:\s*false|timeout/.test(options.getText())) result.push({ kind: 'acquire', lock: key, node });
        return;
      }
      if (target && key && target.method === 'release') {
        result.push({ kind: 'release', lock: key, node });
        return;
      }
      if (target && key && SCOPED.test(target.method)) {
        const [callback] = node.getArguments();
        const inner = callback && (Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) ? steps(callback.getBody()) : [];
        result.push({ kind: 'acquire', lock: key, node, inner });
        return;
      }
      const callee = node.getExpression();
      const declaration = Node.isIdentifier(callee) || Node.isPropertyAccessExpression(callee) ? callee.getSymbol()?.getDeclarations()[0] : undefined;
      node.getArguments().forEach(visit);
      if (declaration && (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration)) && declaration.getBody()) {
        result.push({ kind: 'call', node, callee: declaration });
      }
      return;
    }
    if (Node.isFunctionLikeDeclaration(node) || Node.isClassDeclaration(node)) return;
    node.forEachChild(visit);
  };
  // A block or file is walked statement by statement; an arrow's expression body is itself the first step.
  if (Node.isBlock(body) || Node.isSourceFile(body)) body.forEachChild(visit);
  else visit(body);
  return result;
}

export default createRule<MessageId>({
  name: 'lock-order-inversion',
  meta: {
    docs: { description: 'two code paths take the same two locks in opposite orders', url: docsUrl('lock-order-inversion') },
    messages: {
      inversion:
        "'{{second}}' is taken here while holding '{{first}}', but elsewhere '{{first}}' is taken while holding '{{second}}': two threads on these paths can deadlock. Take the locks in one order everywhere.",
    },
  },
  checkProject(context) {
    const functions: FunctionNode[] = [];
    for (const file of context.sourceFiles as SourceFile[]) {
      functions.push(file);
      functions.push(...file.getDescendants().filter((d) => Node.isFunctionDeclaration(d) || Node.isMethodDeclaration(d) || Node.isArrowFunction(d) || Node.isFunctionExpression(d)));
    }
    const stepsOf = new Map<FunctionNode, Step[]>();
    const body = (fn: FunctionNode): Node | undefined => (Node.isSourceFile(fn) ? fn : (fn as Node & { getBody?(): Node | undefined }).getBody?.());
    const stepsFor = (fn: FunctionNode): Step[] => {
      let found = stepsOf.get(fn);
      if (!found) {
        const b = body(fn);
        found = b ? steps(b) : [];
        stepsOf.set(fn, found);
      }
      return found;
    };
    /** Locks a function may take, directly or through what it calls (memoised, cycle-safe). */
    const mayTake = new Map<FunctionNode, Map<string, Node>>();
    const takes = (fn: FunctionNode, visiting = new Set<FunctionNode>()): Map<string, Node> => {
      const known = mayTake.get(fn);
      if (known) return known;
      if (visiting.has(fn)) return new Map();
      visiting.add(fn);
      const locks = new Map<string, Node>();
      const collect = (list: Step[]): void => {
        for (const step of list) {
          if (step.kind === 'acquire' && step.lock && !locks.has(step.lock)) locks.set(step.lock, step.node);
          if (step.inner) collect(step.inner);
          if (step.kind === 'call' && step.callee) for (const [lock, node] of takes(step.callee, visiting)) if (!locks.has(lock)) locks.set(lock, node);
        }
      };
      collect(stepsFor(fn));
      mayTake.set(fn, locks);
      return locks;
    };

    const graph = new LockGraph();
    const lockIds = new Map<string, number>();
    const lockNames = new Map<number, string>();
    const sites: Node[] = [];
    const site = (node: Node): number => sites.push(node) - 1;
    const idOf = (lock: string, receiver: Node): number => {
      let id = lockIds.get(lock);
      if (id === undefined) {
        id = lockIds.size + 1;
        lockIds.set(lock, id);
        lockNames.set(id, lockName(receiver));
      }
      return id;
    };
    const receiverOf = (node: Node): Node => methodCall(node as never)?.receiver ?? node;
    let path = 0;
    // Each function is its own "thread" for the graph: any two paths may run at once.
    const walk = (list: Step[], thread: number): void => {
      for (const step of list) {
        if (step.kind === 'acquire' && step.lock) {
          const id = idOf(step.lock, receiverOf(step.node));
          graph.afterLock(thread, id, site(step.node), true);
          if (step.inner) {
            walk(step.inner, thread);
            graph.beforeUnlock(thread, id);
          }
        } else if (step.kind === 'release' && step.lock) {
          graph.beforeUnlock(thread, idOf(step.lock, receiverOf(step.node)));
        } else if (step.kind === 'call' && step.callee) {
          for (const [lock, node] of takes(step.callee)) {
            const id = idOf(lock, receiverOf(node));
            graph.afterLock(thread, id, site(step.node), true);
            graph.beforeUnlock(thread, id);
          }
        }
      }
    };
    for (const fn of functions) walk(stepsFor(fn), ++path);

    for (const cycle of graph.takeReport(() => true)) {
      const last = cycle.edges[cycle.edges.length - 1]!;
      context.report({
        node: sites[last.label.acquiredSite]!,
        messageId: 'inversion',
        data: { first: lockNames.get(last.from) ?? '?', second: lockNames.get(last.to) ?? '?' },
        related: cycle.edges.flatMap((edge) => [
          { node: sites[edge.label.heldSite]!, message: `'${lockNames.get(edge.from)}' taken here` },
          { node: sites[edge.label.acquiredSite]!, message: `then '${lockNames.get(edge.to)}' taken here while holding it` },
        ]),
      });
    }
  },
});
