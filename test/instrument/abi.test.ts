/**
 * The transform and the runtime meet only in abi.ts: every name the generated code reads is an entry the
 * installed runtime really has (checked against the runtime of a real process, not a stand-in), every
 * field it reads of a run or a shadow is one the runtime's objects carry, and the rules written both as
 * code and as generated expressions have one definition.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { canExtendRun, epochMark, epochMarkCode, GENERATED, PROLOGUE, RUN_FIELD, RUNTIME_KEY, SHADOW_FIELD, type RunFields } from '../../src/instrument/abi.js';
import { instrumentSource } from '../../src/instrument/transform/transform.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A module that makes the transform emit every kind of rewrite it has. */
const EVERY_REWRITE = `
const a = new Int32Array(new SharedArrayBuffer(64));
const v = new DataView(a.buffer);
let total = 0;
export function accesses(i) {
  a[i] = a[i + 1];
  a[0] += 2;
  a[1]++;
  --a[2];
  const x = a[i];
  for (const e of a) total += e;
  const [first] = a;
  const copy = [...a];
  Array.from(a);
  a.fill(0, 1, 2); a.set([1], 0); a.copyWithin(0, 1); a.slice(1); a.join(); a.indexOf(1); a.includes(1);
  a.lastIndexOf(1); a.at(0); a.reverse(); a.sort(); a.toSorted(); a.toReversed(); a.with(0, 1);
  v.getInt32(0); v.setFloat64(8, 1, true);
  Atomics.load(a, 0); Atomics.store(a, 0, 1); Atomics.add(a, 0, 1); Atomics.sub(a, 0, 1); Atomics.and(a, 0, 1);
  Atomics.or(a, 0, 1); Atomics.xor(a, 0, 1); Atomics.exchange(a, 0, 1); Atomics.compareExchange(a, 0, 1, 2);
  Atomics.wait(a, 0, 1, 0); Atomics.waitAsync(a, 0, 1); Atomics.notify(a, 0);
  return x + first + copy.length;
}
const state = { n: 0 };
let counter = 0;
export async function tasks() {
  let local = 0;
  const read = counter;
  await null;
  counter = read + 1;
  counter += await Promise.resolve(1);
  state.n = state.n + (await 1);
  local = local + (await 1);
  return local;
}
`;

interface AstNode {
  type: string;
  [key: string]: unknown;
}

function* nodes(node: unknown): Generator<AstNode> {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) yield* nodes(item);
    return;
  }
  const ast = node as AstNode;
  if (typeof ast.type !== 'string') return;
  yield ast;
  for (const [key, value] of Object.entries(ast)) if (key !== 'loc') yield* nodes(value);
}

function instrumented(): { code: string; ast: AstNode } {
  const result = instrumentSource(EVERY_REWRITE, { filename: '/every-rewrite.mjs', sourceType: 'module', async: true });
  if (!result) throw new Error('nothing instrumented');
  return { code: result.code, ast: parse(result.code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode };
}

/** `object.property` accesses with a plain name for the object, by that name. */
function membersOf(ast: AstNode): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const node of nodes(ast)) {
    if (node.type !== 'MemberExpression' || node.computed) continue;
    const object = node.object as AstNode;
    const property = node.property as AstNode;
    let name: string | undefined;
    if (object.type === 'Identifier') name = object.name as string;
    // `__racecheck.atomics.load`: the Atomics entries, under a name of their own.
    else if (object.type === 'MemberExpression' && (object.object as AstNode).type === 'Identifier' && !object.computed) {
      name = `${(object.object as AstNode).name as string}.${(object.property as AstNode).name as string}`;
    }
    if (name === undefined) continue;
    if (!found.has(name)) found.set(name, new Set());
    found.get(name)!.add(property.name as string);
  }
  return found;
}

/** What a real thread's installed runtime has: its entries, the Atomics and async entries, a run's and a shadow's fields. */
function installedRuntime(): { entries: string[]; atomics: string[]; async: string[]; run: string[]; shadow: string[] } {
  const script = `
    const { installRuntime } = await import(${JSON.stringify(join(root, 'dist/instrument/runtime/install.js'))});
    const { attachRing } = await import(${JSON.stringify(join(root, 'dist/tracer/probe.js'))});
    const { createRing } = await import(${JSON.stringify(join(root, 'dist/tracer/ring.js'))});
    // A shared view is classified only while tracing (into a ring nobody drains: a few records).
    attachRing(createRing({ lanes: 1, laneRecords: 64 }));
    installRuntime({ imports: [], tsxApi: '', tsxCommonJsApi: '', tsxInherited: false, preload: '', scope: { deps: false, async: true } });
    const runtime = globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})];
    const view = new Int32Array(new SharedArrayBuffer(8));
    runtime.r(view, 0, 0);
    console.log(JSON.stringify({
      entries: Object.keys(runtime), atomics: Object.keys(runtime.atomics), async: Object.keys(runtime.async),
      run: Object.keys(runtime.hot.run), shadow: Object.keys(view[runtime.shadow]),
    }));
    process.exit(0);`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof installedRuntime>;
}

describe('the instrumentation ABI', () => {
  const { code, ast } = instrumented();
  const members = membersOf(ast);
  const runtime = installedRuntime();

  it('every runtime entry the generated code calls or reads exists in the installed runtime', () => {
    const used = [...(members.get(PROLOGUE.runtime) ?? [])];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !runtime.entries.includes(name))).toEqual([]);
    const atomics = [...(members.get(`${PROLOGUE.runtime}.atomics`) ?? [])];
    expect(atomics.sort()).toEqual([...runtime.atomics].sort());
    const asyncUsed = [...(members.get(PROLOGUE.async) ?? [])];
    expect(asyncUsed.length).toBeGreaterThan(4);
    expect(asyncUsed.filter((name) => !runtime.async.includes(name))).toEqual([]);
  });

  it('the per-site functions read only the run and shadow fields abi.ts declares, and the runtime has them', () => {
    const runFields = new Set<string>();
    const shadowFields = new Set<string>();
    for (const node of nodes(ast)) {
      if (node.type !== 'FunctionDeclaration' || !String((node.id as AstNode).name).startsWith('__racecheck')) continue;
      const accessorMembers = membersOf(node);
      for (const field of accessorMembers.get('h') ?? []) runFields.add(field);
      for (const field of accessorMembers.get('s') ?? []) shadowFields.add(field);
    }
    expect([...runFields].sort()).toEqual(Object.values(RUN_FIELD).sort());
    expect([...shadowFields].sort()).toEqual(Object.values(SHADOW_FIELD).sort());
    expect(Object.values(RUN_FIELD).filter((field) => !runtime.run.includes(field))).toEqual([]);
    expect(Object.values(SHADOW_FIELD).filter((field) => !runtime.shadow.includes(field))).toEqual([]);
  });

  it('every racecheck name in the generated code is one abi.ts declares', () => {
    const declared = new Set<string>(Object.values(PROLOGUE));
    const prefixes = Object.values(GENERATED);
    const names = new Set([...code.matchAll(/__racecheck\w*/g)].map((match) => match[0]));
    expect([...names].filter((name) => !declared.has(name) && !prefixes.some((prefix) => name.startsWith(prefix) && /^\d*$/.test(name.slice(prefix.length))))).toEqual([]);
  });

  it('the epoch marks: the generated expressions and the runtime functions are one encoding', () => {
    const touchedIn = new Function('m', 'e', `return ${epochMarkCode.touchedIn('m', 'e')};`) as (m: number, e: number) => boolean;
    const write = new Function('e', `return ${epochMarkCode.write('e')};`) as (e: number) => number;
    const read = new Function('e', `return ${epochMarkCode.read('e')};`) as (e: number) => number;
    for (const epoch of [0, 2, 4, 1_000_000, 2 ** 30]) {
      expect([read(epoch), write(epoch)]).toEqual([epochMark.read(epoch), epochMark.write(epoch)]);
      for (const mark of [0, epoch, epoch + 1, epoch + 2, epoch - 1]) expect(touchedIn(mark, epoch)).toBe(epochMark.touchedIn(mark, epoch));
    }
  });

  it('the run-extension rule and the epoch encoding are written once, in abi.ts', () => {
    const dir = fileURLToPath(new URL('../../src/instrument', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const writing = (pattern: RegExp): string[] => files.filter((file) => pattern.test(readFileSync(join(dir, file), 'utf8')));
    expect(writing(/first\}?\s*\+\s*[^;\n]{0,20}count/)).toEqual(['abi.ts']);
    expect(writing(/&\s*-2\b/)).toEqual(['abi.ts']);
    // And the compiled rule behaves as the rule says.
    const run: RunFields = { cells: new Int32Array(4), first: 1, count: 2, site: 7, write: true };
    expect(canExtendRun(run, run.cells!, 3, 7, true)).toBe(true);
    expect(canExtendRun(run, run.cells!, 3, 7, false)).toBe(false);
    expect(canExtendRun(run, run.cells!, 2, 7, true)).toBe(false);
    expect(canExtendRun(run, new Int32Array(4), 3, 7, true)).toBe(false);
    expect(canExtendRun(run, run.cells!, 3, 8, true)).toBe(false);
  });
});
