/**
 * Two code paths take the same two locks in opposite orders. Locks are identified by their declaration (a
 * module-level lock, a class field), acquisitions followed through `withLock`-style callbacks and through
 * calls to functions of the project (what a callee may take counts as taken while the caller's locks are
 * held). The cycles come from the same lock-order graph the runtime analyzer uses.
 */
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { LockGraph } from '../../analyzer/lock-graph.js';
import { createRule, docsUrl } from '../rule.js';
import { enclosingFunction, lockKindOf, methodCall } from '../types.js';

export type MessageId = 'inversion';

const SCOPED = /^(withLock|withLockAsync|withPermit|withPermitAsync|runExclusive)$/;
const LOCK_METHODS = /^(acquire|acquireAsync|release|withLock|withLockAsync|withPermit|withPermitAsync|runExclusive)$/;

interface Step {
  kind: 'acquire' | 'release' | 'call';
  lock?: string;
  node: Node;
  /** For scoped acquisitions: the steps inside the callback. */
  inner?: Step[];
}

/** A lock's identity: its declaration (a parameter is only itself, so it never matches another function's). */
function lockKey(receiver: Node): string | undefined {
  if (!lockKindOf(receiver)) return undefined;
  const declaration = receiver.getSymbol()?.getDeclarations()[0];
  if (!declaration) return undefined;
  return `${declaration.getSourceFile().getFilePath()}:${declaration.getStart()}`;
}

function lockName(receiver: Node): string {
  return receiver.getText().replace(/^this\./, '');
}

/**
 * The calls of every function of a file, grouped by the function they run in (a callback is its own
 * function). Only call expressions are wrapped as ts-morph nodes: wrapping every node was most of the
 * analysis time on large projects.
 */
function callsByFunction(file: SourceFile): Map<Node, CallExpression[]> {
  const grouped = new Map<Node, CallExpression[]>();
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const owner = enclosingFunction(call);
    const list = grouped.get(owner) ?? [];
    list.push(call);
    grouped.set(owner, list);
  }
  return grouped;
}

/** The acquisitions, releases and calls a function makes, in order (callbacks of withLock-style calls inline). */
function stepsOf(fn: Node, calls: Map<Node, CallExpression[]>): Step[] {
  const result: Step[] = [];
  for (const call of calls.get(fn) ?? []) {
    const target = methodCall(call);
    // Names first: asking the type checker is the expensive part.
    const key = target && LOCK_METHODS.test(target.method) ? lockKey(target.receiver) : undefined;
    if (target && key && (target.method === 'acquire' || target.method === 'acquireAsync')) {
      // Only acquisitions that wait count: a try-acquire gives up instead of deadlocking.
      const [options] = call.getArguments();
      if (!options || !/blocking\s*:\s*false|timeout/.test(options.getText())) result.push({ kind: 'acquire', lock: key, node: call });
    } else if (target && key && target.method === 'release') {
      result.push({ kind: 'release', lock: key, node: call });
    } else if (target && key && SCOPED.test(target.method)) {
      const [callback] = call.getArguments();
      const inner = callback && (Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) ? stepsOf(callback, calls) : [];
      result.push({ kind: 'acquire', lock: key, node: call, inner });
    } else {
      result.push({ kind: 'call', node: call });
    }
  }
  return result;
}

/** The function a call leads to, when it is one of the project's. */
function calleeOf(call: Node): Node | undefined {
  const callee = (call as CallExpression).getExpression();
  const declaration = Node.isIdentifier(callee) || Node.isPropertyAccessExpression(callee) ? callee.getSymbol()?.getDeclarations()[0] : undefined;
  return declaration && (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration)) && declaration.getBody() ? declaration : undefined;
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
    const calls = new Map<Node, CallExpression[]>();
    for (const file of context.sourceFiles as SourceFile[]) {
      // A file that never names a lock method takes no locks of its own.
      if (!/\.(acquire|acquireAsync|withLock|withLockAsync|withPermit|withPermitAsync|runExclusive)\(/.test(file.getFullText())) continue;
      for (const [fn, list] of callsByFunction(file)) calls.set(fn, list);
    }
    const stepCache = new Map<Node, Step[]>();
    const stepsFor = (fn: Node): Step[] => {
      let found = stepCache.get(fn);
      if (!found) {
        found = stepsOf(fn, calls);
        stepCache.set(fn, found);
      }
      return found;
    };
    /** Locks a function may take, directly or through what it calls (memoised, cycle-safe). */
    const mayTake = new Map<Node, Map<string, Node>>();
    const takes = (fn: Node, visiting = new Set<Node>()): Map<string, Node> => {
      const known = mayTake.get(fn);
      if (known) return known;
      if (visiting.has(fn)) return new Map();
      visiting.add(fn);
      const locks = new Map<string, Node>();
      const collect = (list: Step[]): void => {
        for (const step of list) {
          if (step.kind === 'acquire' && step.lock && !locks.has(step.lock)) locks.set(step.lock, step.node);
          if (step.inner) collect(step.inner);
          if (step.kind === 'call') {
            const callee = calleeOf(step.node);
            if (callee) for (const [lock, node] of takes(callee, visiting)) if (!locks.has(lock)) locks.set(lock, node);
          }
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
    const receiverOf = (node: Node): Node => methodCall(node as CallExpression)?.receiver ?? node;
    // Each function is its own "thread" for the graph: any two paths may run at once.
    const walk = (list: Step[], thread: number, held: number): void => {
      for (const step of list) {
        if (step.kind === 'acquire' && step.lock) {
          const id = idOf(step.lock, receiverOf(step.node));
          graph.afterLock(thread, id, site(step.node), true);
          if (step.inner) {
            walk(step.inner, thread, held + 1);
            graph.beforeUnlock(thread, id);
          } else {
            held++;
          }
        } else if (step.kind === 'release' && step.lock) {
          graph.beforeUnlock(thread, idOf(step.lock, receiverOf(step.node)));
          held = Math.max(0, held - 1);
        } else if (step.kind === 'call' && held > 0) {
          // Only a call made while holding a lock can add an edge: resolve the callee only then.
          const callee = calleeOf(step.node);
          for (const [lock, node] of callee ? takes(callee) : []) {
            const id = idOf(lock, receiverOf(node));
            graph.afterLock(thread, id, site(step.node), true);
            graph.beforeUnlock(thread, id);
          }
        }
      }
    };
    let path = 0;
    for (const fn of calls.keys()) walk(stepsFor(fn), ++path, 0);

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
