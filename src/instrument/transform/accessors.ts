/**
 * The code the transform generates, written only from abi.ts: the module prologue and the small function
 * each access site gets. Plain reads and writes go through a function of their own per site: its property
 * lookups keep their own inline caches (one shared helper would see every object shape of the program and
 * go megamorphic), and V8 inlines it into the caller. Anything that is not a typed array on shared memory
 * answers null to the shadow lookup and is accessed right there.
 */
import {
  ASYNC_ENTRY,
  ENTRY,
  epochMarkCode,
  GENERATED,
  INSTRUMENTED_MARK,
  PROLOGUE,
  runExtendsCode,
  RUNTIME_KEY,
  SHADOW_FIELD,
  RUN_FIELD,
} from '../abi.js';

const P = PROLOGUE;
const S = SHADOW_FIELD;

/** `${runtime}.${entry}`: a runtime entry, as generated code calls it. */
export function entry(name: keyof typeof ENTRY): string {
  return `${P.runtime}.${ENTRY[name]}`;
}

/** `${async}.${entry}`: an event-loop entry. */
export function asyncEntry(name: keyof typeof ASYNC_ENTRY): string {
  return `${P.async}.${ASYNC_ENTRY[name]}`;
}

/** The test before taking the per-site function: an object that is surely not a shared typed array skips it. */
export function maybeShared(object: string): string {
  return `${object} == null || ${object}[${P.shadow}] !== null`;
}

/**
 * The per-site read function. The same-epoch check is here too: a shared element already read or written
 * in this epoch costs one load and no call. So is the commonest first access: the next element of the run
 * this site's last access opened (the runtime's last run, `hot.run`), which only needs marking and
 * counting. Anything else goes to the runtime's read entry.
 */
export function readAccessor(name: string, site: string): string {
  return (
    `function ${name}(o, k) { const s = o == null ? null : o[${P.shadow}]; if (s === null) return o[k]; ` +
    `if (s !== undefined) { const m = s.${S.cells}, c = s.${S.base} + k, e = ${P.epoch}[0]; if (${epochMarkCode.touchedIn('m[c]', 'e')}) return o[k]; ` +
    `const h = ${P.hot}.run; if (${runExtendsCode('h', 'm', 'c', site, 'false')} && ${inView('k', 's')}) { m[c] = ${epochMarkCode.read('e')}; h.${RUN_FIELD.count}++; return o[k]; } } ` +
    `return ${entry('r')}(o, k, ${site}); }`
  );
}

/** The per-site write function (`o[k] = v`), as the read's. */
export function writeAccessor(name: string, site: string): string {
  return (
    `function ${name}(o, k, v) { const s = o == null ? null : o[${P.shadow}]; if (s === null) return (o[k] = v); ` +
    `if (s !== undefined) { const m = s.${S.cells}, c = s.${S.base} + k, e = ${epochMarkCode.write(`${P.epoch}[0]`)}; if (m[c] === e) return (o[k] = v); ` +
    `const h = ${P.hot}.run; if (${runExtendsCode('h', 'm', 'c', site, 'true')} && ${inView('k', 's')}) { o[k] = v; m[c] = e; h.${RUN_FIELD.count}++; return v; } } ` +
    `return ${entry('w')}(o, k, v, ${site}); }`
  );
}

/** An element index the inline path may take: within the view (the runtime checks anything else). */
function inView(key: string, shadow: string): string {
  return `${key} >= 0 && ${key} < ${shadow}.${S.length}`;
}

/** What a recorded method call does after the call returned `r`. */
export type MethodRecord =
  | { kind: 'dataView'; width: number; write: boolean }
  | { kind: 'arrayFrom' }
  | { kind: 'bulk'; method: string };

/**
 * `v.getInt32(a, b)`, `a.fill(…)`, `Array.from(a)` → the same call on the same object, then what it
 * accessed recorded when the object is a DataView or typed array on shared memory (their verdicts are
 * cached on them; any other object answers null) — or, for Array.from, its argument is. The function takes
 * exactly the call's arguments, so a method of another object with the same name sees the arguments it
 * always did.
 */
export function methodAccessor(name: string, method: string, argumentCount: number, record: MethodRecord, site: string): string {
  const params = Array.from({ length: argumentCount }, (_, i) => `a${i}`);
  const arg = (i: number): string => params[i] ?? 'undefined';
  let after: string;
  if (record.kind === 'dataView') {
    after = `const s = o[${P.dataView}]; if (s !== null) ${entry('dv')}(o, s, ${arg(0)}, ${record.width}, ${record.write ? 1 : 0}, ${site});`;
  } else if (record.kind === 'arrayFrom') {
    after = `if (o === Array) ${P.spread}(${arg(0)}, ${site});`;
  } else {
    // `set` also reads its source, which may be shared when the target is not.
    const source = method === 'set' ? ` || (${arg(0)} != null && ${arg(0)}[${P.shadow}] !== null)` : '';
    after = `const s = o[${P.shadow}]; if (s !== null${source}) ${entry('bulk')}(o, s, ${JSON.stringify(method)}, r, ${site}, ${arg(0)}, ${arg(1)}, ${arg(2)});`;
  }
  return `function ${name}(o${params.map((p) => `, ${p}`).join('')}) { const r = o.${method}(${params.join(', ')}); ${after} return r; }`;
}

/**
 * The module's prologue: the mark, then the runtime's entries bound to module-level names, the module's
 * call sites defined, and the per-site functions.
 */
export function prologue(sites: readonly string[], async: { propertyNames: readonly string[] } | undefined, accessors: readonly string[]): string {
  const bind = (local: string, value: string): string => `${local} = ${value}`;
  const names = [
    bind(P.runtime, `globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})]`),
    bind(P.sites, `${entry('sites')}(${JSON.stringify(sites)})`),
    bind(P.shadow, entry('shadow')),
    bind(P.epoch, entry('epoch')),
    bind(P.hot, entry('hot')),
    bind(P.dataView, entry('dataView')),
    bind(P.spread, entry('spread')),
    bind(P.iterate, entry('iterate')),
  ];
  if (async) {
    names.push(
      bind(P.async, entry('async')),
      bind(P.segment, asyncEntry('seg')),
      bind(P.names, `${asyncEntry('names')}(${JSON.stringify(async.propertyNames)})`),
    );
  }
  return `${INSTRUMENTED_MARK}var ${names.join(', ')};${accessors.join('')}`;
}

/** `${name}${index}`: the per-site functions' names. */
export const accessorName = {
  read: (index: number): string => `${GENERATED.readAccessor}${index}`,
  write: (index: number): string => `${GENERATED.writeAccessor}${index}`,
  method: (index: number): string => `${GENERATED.methodAccessor}${index}`,
};
