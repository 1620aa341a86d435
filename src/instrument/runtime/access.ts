/**
 * Single element accesses: what the per-site accessors hand over when their inline checks did not settle
 * an access, compound assignments and increments, and DataView calls.
 */
import { tracing } from '../../tracer/probe.js';
import type { Indexable as AbiIndexable } from '../abi.js';
import { recordAccess } from './runs.js';
import { classifyDataView, SHADOW, shadowOf, type DataViewShadow, type ViewShadow } from './shadow.js';

type Indexable = AbiIndexable & { [SHADOW]?: ViewShadow | null };

/**
 * What the per-site accessors (transform/accessors.ts) call when their inline checks did not settle an access: a
 * typed array not classified yet, or a shared element's first access of its kind in this epoch (the
 * accessors answer everything else, and recordAccess checks the epoch again for anyone else).
 */
export function read(target: Indexable, key: PropertyKey, site: number): unknown {
  const shadow = target[SHADOW];
  if (shadow === undefined) accessSlow(target, key, site, false);
  else if (shadow !== null && tracing) recordAccess(shadow, key, site, false);
  return target[key];
}

export function write(target: Indexable, key: PropertyKey, value: unknown, site: number): unknown {
  target[key] = value;
  const shadow = target[SHADOW];
  if (shadow === undefined) accessSlow(target, key, site, true);
  else if (shadow !== null && tracing) recordAccess(shadow, key, site, true);
  return value;
}

function accessSlow(target: Indexable, key: PropertyKey, site: number, isWrite: boolean): void {
  if (!tracing) return;
  const shadow = shadowOf(target);
  if (shadow) recordAccess(shadow, key, site, isWrite);
}

/** Read then write of one element (compound assignments and increments). */
function readWrite(target: Indexable, key: PropertyKey, site: number): void {
  const shadow = target[SHADOW] === undefined ? shadowOf(target) : target[SHADOW];
  if (shadow && tracing) {
    recordAccess(shadow, key, site, false);
    recordAccess(shadow, key, site, true);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the operators apply to whatever the program stores */
function applyOperator(old: any, operator: string, operand: any): unknown {
  switch (operator) {
    case '+=': return old + operand;
    case '-=': return old - operand;
    case '*=': return old * operand;
    case '/=': return old / operand;
    case '%=': return old % operand;
    case '**=': return old ** operand;
    case '<<=': return old << operand;
    case '>>=': return old >> operand;
    case '>>>=': return old >>> operand;
    case '&=': return old & operand;
    case '|=': return old | operand;
    case '^=': return old ^ operand;
    default: throw new TypeError(`racecheck: unknown operator ${operator}`);
  }
}

/**
 * `o[k] op= v`. One difference from the original, accepted: JavaScript reads `o[k]` before evaluating `v`,
 * and here `v` is an argument, evaluated first; it shows only when evaluating `v` changes `o[k]` itself.
 */
export function update(target: Indexable, key: PropertyKey, operator: string, operand: unknown, site: number): unknown {
  const result = applyOperator(target[key], operator, operand);
  target[key] = result;
  readWrite(target, key, site);
  return result;
}

/** `o[k]++`, `--o[k]` and friends. */
export function step(target: Indexable, key: PropertyKey, delta: number, prefix: number, site: number): unknown {
  let old: any = target[key];
  old = typeof old === 'bigint' ? old : Number(old);
  const result = typeof old === 'bigint' ? old + BigInt(delta) : old + delta;
  target[key] = result;
  readWrite(target, key, site);
  return prefix ? result : old;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * After a DataView call at `offset` succeeded (a call that throws accessed nothing): records it as an
 * access of the buffer's element of that width, or, when it is not aligned, of the bytes it covers (the
 * analyzer compares accesses of different widths byte by byte). An offset that is neither a number nor
 * left out is not converted again (that could run the program's code twice): such an access is not
 * recorded.
 */
export function dataViewAccess(view: DataView, known: DataViewShadow | undefined, offset: unknown, width: number, write: number, site: number): void {
  if (!tracing) return;
  const shadow = known === undefined ? classifyDataView(view) : known;
  if (shadow === null || (offset !== undefined && typeof offset !== 'number')) return;
  const at = shadow.byteOffset + (offset === undefined ? 0 : Math.trunc(offset) || 0);
  if (at % width === 0) {
    recordAccess(shadow.whole(width), at / width, site, write === 1);
    return;
  }
  const bytes = shadow.whole(1);
  for (let byte = at; byte < at + width; byte++) recordAccess(bytes, byte, site, write === 1);
}
