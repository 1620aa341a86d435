/**
 * Findings about threads: data races and lock-order cycles. Each names both sides: where, which thread,
 * holding what.
 */
import { describeLocks, fingerprintOf, severityOf, type Finding, type RuleId } from '../../core/findings.js';
import type { AccessSide, Race } from '../happens-before.js';
import type { CycleEdge } from '../lock-graph.js';
import { uniqueThreads, type Namer } from '../naming.js';

/**
 * The primary side of a race does not depend on which thread happened to come second in this run: it is
 * the write (of a read/write pair), or of two writes the one later in the source.
 */
export function orderSides(n: Namer, race: Race): [primary: AccessSide, other: AccessSide] {
  const { earlier, later } = race;
  if (earlier.access !== later.access) return earlier.access === 'write' ? [earlier, later] : [later, earlier];
  const a = n.location(earlier.site);
  const b = n.location(later.site);
  const order = (a?.file ?? '').localeCompare(b?.file ?? '') || (a?.line ?? 0) - (b?.line ?? 0) || (a?.column ?? 0) - (b?.column ?? 0);
  return order > 0 ? [earlier, later] : [later, earlier];
}

/**
 * Two accesses, one a write, that happens-before does not order: a data race, as ThreadSanitizer has it —
 * Atomics synchronise per location, and Atomics traffic on other locations orders nothing. When some ran
 * between the two (a barrier, a latch, a done counter), the message says so: the program may have a
 * protocol of its own, which happensBefore/happensAfter can declare. The rule and severity never change.
 */
export function raceFinding(n: Namer, race: Race): Finding {
  const rule: RuleId = 'data-race';
  const cwd = n.cwd;
  const [primary, secondary] = orderSides(n, race);
  const location = n.location(primary.site);
  const otherLocation = n.location(secondary.site);
  const thread = n.threadRef(primary.thread);
  const other = n.threadRef(secondary.thread);
  const locksHeld = n.locks(primary.lockset);
  const where = `shared memory (buffer ${race.buffer % 2 ** 32}, byte offset ${race.offset})`;
  const hint = race.unmodeled
    ? '; Atomics operations on other locations ran between these accesses: if your own protocol orders them, annotate it with happensBefore/happensAfter'
    : '';
  const message = `Data race on ${where}: this ${primary.access} by thread '${thread.name}' is not ordered with a ${secondary.access} by thread '${other.name}'${hint}`;
  return {
    ruleId: rule,
    severity: severityOf(rule),
    message,
    location,
    thread,
    locksHeld,
    access: primary.access,
    related: [side(n, secondary, 'conflicting')],
    threads: uniqueThreads([thread, other]),
    count: race.count,
    fingerprint: fingerprintOf(rule, [location, otherLocation], cwd, [primary.access, secondary.access].sort().join('/')),
  };
}

function side(n: Namer, side: AccessSide, prefix: string): Finding['related'][number] {
  const thread = n.threadRef(side.thread);
  const locksHeld = n.locks(side.lockset);
  return {
    message: `${prefix} ${side.access} by thread '${thread.name}', ${describeLocks(locksHeld)}`,
    location: n.location(side.site),
    thread,
    locksHeld,
    access: side.access,
  };
}


/** Cycles of the same lock classes (creation sites) and acquisition sites are one report. */
export function cycleShape(n: Namer, edges: CycleEdge[]): string {
  const parts = edges.map((edge) => {
    const from = n.objects.get(edge.from)?.site ?? `#${edge.from}`;
    const to = n.objects.get(edge.to)?.site ?? `#${edge.to}`;
    return `${from}>${to}@${edge.label.heldSite}/${edge.label.acquiredSite}`;
  });
  const rotations = parts.map((_, i) => [...parts.slice(i), ...parts.slice(0, i)].join('|'));
  return rotations.sort()[0]!;
}


export function cycleFinding(n: Namer, edges: CycleEdge[], count: number): Finding {
  const cwd = n.cwd;
  const last = edges[edges.length - 1]!;
  const names = edges.map((edge) => n.lockName(edge.from));
  const location = n.location(last.label.acquiredSite);
  const thread = n.threadRef(last.label.thread);
  const related = edges.flatMap((edge) => {
    const edgeThread = n.threadRef(edge.label.thread);
    return [
      {
        message: `thread '${edgeThread.name}' acquires ${n.lockName(edge.to)} here while holding ${n.lockName(edge.from)}`,
        location: n.location(edge.label.acquiredSite),
        thread: edgeThread,
        locksHeld: [n.lockRef(edge.from)],
      },
      {
        message: `thread '${edgeThread.name}' acquired ${n.lockName(edge.from)} here`,
        location: n.location(edge.label.heldSite),
        thread: edgeThread,
      },
    ];
  });
  return {
    ruleId: 'lock-order-inversion',
    severity: severityOf('lock-order-inversion'),
    message: `Lock-order inversion (potential deadlock): cycle in lock order graph: ${[...names, names[0]].join(' => ')}`,
    location,
    thread,
    locksHeld: [n.lockRef(last.from)],
    related,
    threads: uniqueThreads(edges.map((edge) => n.threadRef(edge.label.thread))),
    count,
    fingerprint: fingerprintOf('lock-order-inversion', edges.map((edge) => n.location(edge.label.acquiredSite)), cwd),
  };
}
