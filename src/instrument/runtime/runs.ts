/**
 * Runs of accesses are written as one event: the same kind, at the same site, to consecutive elements of
 * one buffer within one epoch (a loop over a row). A few runs stay open at once, so that a loop reading
 * two arrays in step coalesces both. Runs are written when they cannot grow, and before every
 * synchronisation event (probe.settle), so the lane order the analyzer relies on is kept.
 *
 * A shared access is recorded only when this thread has not already made the same kind of access to the
 * same element in the current synchronisation epoch (FastTrack's same-epoch case): a hot loop over one
 * buffer between two synchronisation points writes each element's events once, not once per iteration.
 */
import { emitAt, syncEpoch } from '../../tracer/probe.js';
import { EventKind } from '../../tracer/schema.js';
import { canExtendRun, epochMark, MAX_RUN, type RunFields } from '../abi.js';
import type { ViewShadow } from './shadow.js';

class Run implements RunFields {
  cells: Int32Array | null = null;
  hi = 0;
  lo = 0;
  width = 0;
  write = false;
  site = 0;
  first = 0;
  count = 0;
}

const OPEN_RUNS = 4;
const runs = Array.from({ length: OPEN_RUNS }, () => new Run());
let nextVictim = 0;

/**
 * The run the last recorded access went to: a loop's next access most often extends it. The per-site
 * accessors extend it themselves when the next element is theirs (transform/accessors.ts).
 */
export const hot: { run: RunFields } = { run: runs[0]! };

function writeRun(run: Run): void {
  if (run.cells === null) return;
  emitAt(run.write ? EventKind.MemoryWrite : EventKind.MemoryRead, run.hi, run.lo, run.first * run.width, run.width, run.count, run.site);
  run.cells = null;
}

/** Writes every open run (before a synchronisation event, and when tracing stops). */
export function writeRuns(): void {
  for (const run of runs) writeRun(run);
}

/** The slow half of an access: checks the key, then records it unless this epoch already did. */
export function recordAccess(shadow: ViewShadow, key: unknown, site: number, write: boolean): void {
  if (typeof key !== 'number' || (key >>> 0) !== key || key >= shadow.length) return;
  const cell = shadow.base + key;
  const cells = shadow.cells;
  const epoch = syncEpoch[0]!;
  const seen = cells[cell]!;
  if (write) {
    if (seen === epochMark.write(epoch)) return;
    cells[cell] = epochMark.write(epoch);
  } else {
    if (epochMark.touchedIn(seen, epoch)) return;
    cells[cell] = epochMark.read(epoch);
  }
  let run = hot.run as Run;
  if (!canExtendRun(run, cells, cell, site, write)) {
    let i = 0;
    while (i < OPEN_RUNS && !canExtendRun(runs[i]!, cells, cell, site, write)) i++;
    if (i === OPEN_RUNS) {
      startRun(shadow, cell, site, write);
      return;
    }
    run = runs[i]!;
    hot.run = run;
  }
  run.count++;
}

/** A new run of one element, in place of the open run written longest ago. */
function startRun(shadow: ViewShadow, cell: number, site: number, write: boolean): void {
  const run = runs[nextVictim]!;
  hot.run = run;
  nextVictim = (nextVictim + 1) % OPEN_RUNS;
  writeRun(run);
  run.cells = shadow.cells;
  run.hi = shadow.hi;
  run.lo = shadow.lo;
  run.width = shadow.width;
  run.write = write;
  run.site = site;
  run.first = cell;
  run.count = 1;
}

/**
 * `count` elements from `first` (the view's own indices), read or written by one built-in call: marked in
 * this epoch like single accesses, and written as runs after the runs already open (lane order).
 */
export function recordRange(shadow: ViewShadow, first: number, count: number, site: number, write: boolean): void {
  if (count <= 0) return;
  writeRuns();
  const cells = shadow.cells;
  const start = shadow.base + first;
  const epoch = syncEpoch[0]!;
  if (write) cells.fill(epochMark.write(epoch), start, start + count);
  else for (let cell = start; cell < start + count; cell++) if (!epochMark.touchedIn(cells[cell]!, epoch)) cells[cell] = epochMark.read(epoch);
  for (let done = 0; done < count; done += MAX_RUN) {
    emitAt(write ? EventKind.MemoryWrite : EventKind.MemoryRead, shadow.hi, shadow.lo, (start + done) * shadow.width, shadow.width, Math.min(MAX_RUN, count - done), site);
  }
}
