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
 * Pure graph code, shared with the static analyzer.
 */
import { alg, Graph } from '@dagrejs/graphlib';

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

interface HeldLock {
  lock: number;
  site: number;
}

export class LockGraph {
  readonly #graph = new Graph({ directed: true, multigraph: false });
  readonly #labels = new Map<string, EdgeLabel[]>();
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
    if (blocking) {
      for (const h of held) {
        if (h.lock === lock) continue;
        const gates = held.filter((g) => g !== h).map((g) => g.lock);
        this.#addEdge(h.lock, lock, { thread, heldSite: h.site, acquiredSite: site, gates });
      }
    }
    held.push({ lock, site });
  }

  beforeUnlock(thread: number, lock: number): void {
    const held = this.#heldBy(thread);
    const at = held.findIndex((h) => h.lock === lock);
    if (at >= 0) held.splice(at, 1);
  }

  #addEdge(from: number, to: number, label: EdgeLabel): void {
    const v = String(from);
    const w = String(to);
    const key = `${v}>${w}`;
    let labels = this.#labels.get(key);
    if (!labels) {
      labels = [];
      this.#labels.set(key, labels);
      this.#graph.setEdge(v, w);
    }
    if (labels.length >= this.#options.maxLabelsPerEdge) return;
    const same = labels.some(
      (l) => l.thread === label.thread && l.heldSite === label.heldSite && l.acquiredSite === label.acquiredSite && sameSet(l.gates, label.gates),
    );
    if (!same) labels.push(label);
  }

  get edgeCount(): number {
    return this.#graph.edgeCount();
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
    for (const component of alg.tarjan(this.#graph)) {
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

  /** Elementary cycles inside one component, each found once (from its smallest node), bounded. */
  *#cyclesIn(component: Set<string>): Generator<string[]> {
    const order = [...component].sort((a, b) => Number(a) - Number(b));
    let found = 0;
    for (const start of order) {
      const stack: string[] = [start];
      const onStack = new Set(stack);
      const search = function* (this: LockGraph, node: string): Generator<string[]> {
        for (const next of this.#graph.successors(node) ?? []) {
          if (!component.has(next) || Number(next) < Number(start)) continue;
          if (next === start) {
            if (stack.length > 1) yield [...stack];
          } else if (!onStack.has(next) && stack.length < this.#options.maxCycleLength) {
            stack.push(next);
            onStack.add(next);
            yield* search.call(this, next);
            stack.pop();
            onStack.delete(next);
          }
        }
      };
      for (const cycle of search.call(this, start)) {
        yield cycle;
        if (++found >= this.#options.maxCyclesPerComponent) return;
      }
    }
  }

  /** One label per edge such that the acquisitions could all be in progress at once, or undefined. */
  #feasibleLabels(nodes: string[], canRunConcurrently: (a: number, b: number) => boolean): CycleEdge[] | undefined {
    const options = nodes.map((node, i) => this.#labels.get(`${node}>${nodes[(i + 1) % nodes.length]}`) ?? []);
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
    return nodes.map((node, i) => ({ from: Number(node), to: Number(nodes[(i + 1) % nodes.length]), label: chosen[i]! }));
  }
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
