/**
 * The lock-order graph (in the family of Linux lockdep and GoodLock): an edge A → B when a thread acquires B
 * while holding A, labelled with the thread, where A was acquired, where B was acquired, and which other
 * locks the thread held then. A cycle is a potential deadlock — whether or not this run hung — unless
 * no choice of one label per edge could run at once:
 * - all edges come from one thread (a thread cannot deadlock with itself this way);
 * - two edges were taken under a common "gate" lock (the threads could not be inside both at once);
 * - the edges' threads can never run at the same time (one was joined before the other started).
 * Only blocking acquisitions make edges: a try-acquire or a timed one gives up instead of deadlocking.
 *
 * Narrow interface after ThreadSanitizer's deadlock detector: `afterLock`, `beforeUnlock`, `takeReport`.
 * Pure graph code, shared with the static analyzer. It keeps its own number-keyed adjacency: building a
 * @dagrejs/graphlib graph of the candidate locks took two thirds of the analysis time on the 10,000-lock
 * benchmark, and graphlib's recursive Tarjan overflowed the stack on it.
 */

export interface EdgeLabel {
  thread: number;
  /** Where the held lock was acquired. */
  heldSite: number;
  /** Where the new lock was acquired. */
  acquiredSite: number;
  /** Other locks held at that moment. */
  gates: readonly number[];
}

export interface CycleEdge {
  from: number;
  to: number;
  label: EdgeLabel;
}

export interface LockCycle {
  edges: CycleEdge[];
  /** How many cycles of the same shape (lock classes and sites) this one stands for. */
  count: number;
}

export interface LockGraphOptions {
  /** Longest cycle searched for. */
  maxCycleLength?: number;
  /** Most cycles enumerated per strongly connected component. */
  maxCyclesPerComponent?: number;
  /** Distinct labels kept per edge. */
  maxLabelsPerEdge?: number;
}

export interface HeldLock {
  lock: number;
  site: number;
}

export class LockGraph {
  /** from → to → labels. Kept as number maps while recording; graphlib sees only the part that can cycle. */
  readonly #edges = new Map<number, Map<number, EdgeLabel[]>>();
  #edgeCount = 0;
  readonly #held = new Map<number, HeldLock[]>();
  readonly #options: Required<LockGraphOptions>;

  constructor(options: LockGraphOptions = {}) {
    this.#options = { maxCycleLength: 6, maxCyclesPerComponent: 200, maxLabelsPerEdge: 16, ...options };
  }

  #heldBy(thread: number): HeldLock[] {
    let held = this.#held.get(thread);
    if (!held) {
      held = [];
      this.#held.set(thread, held);
    }
    return held;
  }

  /** `thread` now holds `lock`, acquired at `site`; `blocking` acquisitions add edges from every lock held. */
  afterLock(thread: number, lock: number, site: number, blocking: boolean): void {
    const held = this.#heldBy(thread);
    if (blocking) this.acquiredWhileHolding(thread, lock, site, held);
    held.push({ lock, site });
  }

  /**
   * Edges into `lock`, acquired at `site` by `thread`, from locks the caller says are held (for holders the
   * graph does not follow itself: async tasks, whose locks their callers also hold).
   */
  acquiredWhileHolding(thread: number, lock: number, site: number, held: readonly HeldLock[]): void {
    for (const h of held) {
      if (h.lock === lock) continue;
      const gates = held.length === 1 ? NO_GATES : held.filter((g) => g !== h).map((g) => g.lock);
      this.#addEdge(h.lock, lock, thread, h.site, site, gates);
    }
  }

  beforeUnlock(thread: number, lock: number): void {
    const held = this.#heldBy(thread);
    const at = held.findIndex((h) => h.lock === lock);
    if (at >= 0) held.splice(at, 1);
  }

  #addEdge(from: number, to: number, thread: number, heldSite: number, acquiredSite: number, gates: readonly number[]): void {
    let targets = this.#edges.get(from);
    if (!targets) {
      targets = new Map();
      this.#edges.set(from, targets);
    }
    let labels = targets.get(to);
    if (!labels) {
      labels = [];
      targets.set(to, labels);
      this.#edgeCount++;
    }
    if (labels.length >= this.#options.maxLabelsPerEdge) return;
    for (const l of labels) {
      if (l.thread === thread && l.heldSite === heldSite && l.acquiredSite === acquiredSite && sameSet(l.gates, gates)) return;
    }
    labels.push({ thread, heldSite, acquiredSite, gates });
  }

  get edgeCount(): number {
    return this.#edgeCount;
  }

  #successors(node: number): Iterable<number> {
    return this.#edges.get(node)?.keys() ?? [];
  }

  /**
   * The potential deadlocks: feasible cycles, grouped by `shapeOf` (e.g. lock classes and sites) so that
   * many locks made in one loop give one report.
   */
  takeReport(
    canRunConcurrently: (a: number, b: number) => boolean,
    shapeOf: (cycle: CycleEdge[]) => string = (cycle) => cycle.map((e) => `${e.from}>${e.to}`).join(','),
  ): LockCycle[] {
    const byShape = new Map<string, LockCycle>();
    for (const component of stronglyConnected(this.#cyclicCore())) {
      if (component.length < 2) continue;
      for (const nodes of this.#cyclesIn(new Set(component))) {
        const edges = this.#feasibleLabels(nodes, canRunConcurrently);
        if (!edges) continue;
        const shape = shapeOf(edges);
        const known = byShape.get(shape);
        if (known) known.count++;
        else byShape.set(shape, { edges, count: 1 });
      }
    }
    return [...byShape.values()];
  }

  /**
   * The graph without the locks that cannot be on a cycle: repeatedly drop those with no incoming or no
   * outgoing edge, so that the component search sees only the cycles and what joins them.
   */
  #cyclicCore(): Map<number, Set<number>> {
    const outgoing = new Map<number, Set<number>>();
    const incoming = new Map<number, Set<number>>();
    const setOf = (table: Map<number, Set<number>>, node: number): Set<number> => {
      let found = table.get(node);
      if (!found) {
        found = new Set();
        table.set(node, found);
      }
      return found;
    };
    for (const [from, targets] of this.#edges) {
      for (const to of targets.keys()) {
        setOf(outgoing, from).add(to);
        setOf(incoming, to).add(from);
        setOf(outgoing, to);
        setOf(incoming, from);
      }
    }
    const pending = [...outgoing.keys()];
    const removed = new Set<number>();
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (removed.has(node)) continue;
      const successors = outgoing.get(node)!;
      const predecessors = incoming.get(node)!;
      if (successors.size > 0 && predecessors.size > 0) continue;
      removed.add(node);
      for (const next of successors) {
        incoming.get(next)!.delete(node);
        pending.push(next);
      }
      for (const previous of predecessors) {
        outgoing.get(previous)!.delete(node);
        pending.push(previous);
      }
    }
    for (const node of removed) outgoing.delete(node);
    return outgoing;
  }

  /**
   * Cycles inside one component, shortest first: every cycle contains a back edge of a depth-first search
   * (the edge entering its first-discovered lock), so for each back edge u → v the shortest way back from v
   * to u (breadth-first, at most `maxCycleLength` locks) gives a cycle. Searching from back edges only keeps
   * this cheap when a few inversions sit in a large, mostly ordered lock graph.
   */
  *#cyclesIn(component: Set<number>): Generator<number[]> {
    const seen = new Set<string>();
    let found = 0;
    for (const [from, to] of this.#backEdges(component)) {
      const back = this.#shortestPath(to, from, component);
      if (!back) continue;
      const cycle = rotateToSmallest([from, ...back.slice(0, -1)]);
      const key = cycle.join('>');
      if (seen.has(key)) continue;
      seen.add(key);
      yield cycle;
      if (++found >= this.#options.maxCyclesPerComponent) return;
    }
  }

  /** Back edges of an iterative depth-first search of `component` (smallest lock first). */
  #backEdges(component: Set<number>): [number, number][] {
    const backEdges: [number, number][] = [];
    const visited = new Set<number>();
    const onPath = new Set<number>();
    for (const root of [...component].sort((a, b) => a - b)) {
      if (visited.has(root)) continue;
      const work: { node: number; successors: Iterator<number> }[] = [];
      visited.add(root);
      onPath.add(root);
      work.push({ node: root, successors: this.#successors(root)[Symbol.iterator]() });
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const step = frame.successors.next();
        if (step.done) {
          work.pop();
          onPath.delete(frame.node);
          continue;
        }
        const next = step.value;
        if (!component.has(next)) continue;
        if (onPath.has(next)) {
          backEdges.push([frame.node, next]);
        } else if (!visited.has(next)) {
          visited.add(next);
          onPath.add(next);
          work.push({ node: next, successors: this.#successors(next)[Symbol.iterator]() });
        }
      }
    }
    return backEdges;
  }

  /** Nodes of the shortest path start → … → goal inside `component` (start first, goal last). */
  #shortestPath(start: number, goal: number, component: Set<number>): number[] | undefined {
    if (start === goal) return [goal];
    const previous = new Map<number, number>([[start, start]]);
    let frontier = [start];
    for (let depth = 1; depth < this.#options.maxCycleLength && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const node of frontier) {
        for (const successor of this.#successors(node)) {
          if (!component.has(successor) || previous.has(successor)) continue;
          previous.set(successor, node);
          if (successor === goal) {
            const path = [goal];
            for (let at = node; at !== start; at = previous.get(at)!) path.push(at);
            path.push(start);
            return path.reverse();
          }
          next.push(successor);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /** One label per edge such that the acquisitions could all be in progress at once, or undefined. */
  #feasibleLabels(nodes: number[], canRunConcurrently: (a: number, b: number) => boolean): CycleEdge[] | undefined {
    const options = nodes.map((node, i) => this.#edges.get(node)?.get(nodes[(i + 1) % nodes.length]!) ?? []);
    const chosen: EdgeLabel[] = [];
    const pick = (i: number): boolean => {
      if (i === options.length) return true;
      for (const label of options[i]!) {
        const compatible = chosen.every(
          (other) =>
            other.thread !== label.thread &&
            !other.gates.some((gate) => label.gates.includes(gate)) &&
            canRunConcurrently(other.thread, label.thread),
        );
        if (!compatible) continue;
        chosen.push(label);
        if (pick(i + 1)) return true;
        chosen.pop();
      }
      return false;
    };
    if (!pick(0)) return undefined;
    return nodes.map((node, i) => ({ from: node, to: nodes[(i + 1) % nodes.length]!, label: chosen[i]! }));
  }
}

const NO_GATES: readonly number[] = [];

/**
 * Tarjan's strongly connected components with an explicit stack (a recursive one overflows Node's stack on a
 * component of ~10,000 locks, which real programs with many locks can reach).
 */
function stronglyConnected(graph: Map<number, Set<number>>): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: number; successors: number[]; next: number }[] = [];
    const open = (node: number): void => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, successors: [...(graph.get(node) ?? [])], next: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.successors.length) {
        const successor = frame.successors[frame.next++]!;
        if (!index.has(successor)) open(successor);
        else if (onStack.has(successor)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(successor)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** The same cycle whichever lock it is read from: starting at its smallest lock id. */
function rotateToSmallest(cycle: number[]): number[] {
  let best = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[best]!) best = i;
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
