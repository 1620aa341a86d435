/**
 * The source transform: what it rewrites, what it must leave alone, and that rewritten code computes
 * exactly what the original did (run here against a stand-in runtime that performs the plain operation
 * and counts what it was asked to record).
 */
import { describe, expect, it } from 'vitest';
import { RUNTIME_KEY } from '../../src/instrument/abi.js';
import { InstrumentParseError, instrumentSource } from '../../src/instrument/transform/transform.js';

const SHADOW = Symbol('test shadow');
const DATA_VIEW = Symbol('test data view');

/** A runtime that answers "shared" for every typed array and records the operations it is handed. */
function recordingRuntime() {
  const seen: string[] = [];
  const runtime = {
    sites: (list: string[]) => {
      seen.push(...list.map((site) => `site ${site.split('\n').slice(1, 3).join(':')}`));
      return 100;
    },
    shadow: SHADOW,
    epoch: new Int32Array([2]),
    hot: { run: {} },
    dataView: DATA_VIEW,
    dv: (view: object, _shadow: unknown, offset: unknown, width: number, write: number, site: number) =>
      seen.push(`dv ${view instanceof DataView ? 'DataView' : 'other'} ${String(offset)} ${width} ${write ? 'set' : 'get'} @${site}`),
    bulk: (view: object, _shadow: unknown, method: string, _result: unknown, site: number) =>
      seen.push(`bulk ${ArrayBuffer.isView(view) ? 'typed' : 'other'}.${method} @${site}`),
    spread: (value: unknown, site: number) => (seen.push(`spread ${ArrayBuffer.isView(value) ? 'typed' : 'other'} @${site}`), value),
    iterate: (value: unknown, site: number) => (seen.push(`iterate ${ArrayBuffer.isView(value) ? 'typed' : 'other'} @${site}`), value),
    r: (o: Record<PropertyKey, unknown>, k: PropertyKey, site: number) => (seen.push(`r ${String(k)} @${site}`), o[k]),
    w: (o: Record<PropertyKey, unknown>, k: PropertyKey, v: unknown, site: number) => (seen.push(`w ${String(k)} @${site}`), (o[k] = v)),
    u: (o: Record<PropertyKey, number>, k: PropertyKey, op: string, v: number, site: number) => {
      seen.push(`u ${String(k)} ${op} @${site}`);
      return (o[k] = op === '+=' ? o[k]! + v : o[k]! * v);
    },
    p: (o: Record<PropertyKey, number>, k: PropertyKey, delta: number, prefix: number, site: number) => {
      seen.push(`p ${String(k)} ${delta} @${site}`);
      const old = o[k]!;
      o[k] = old + delta;
      return prefix ? old + delta : old;
    },
    atomics: Object.fromEntries(
      ['load', 'store', 'add', 'compareExchange', 'notify'].map((name) => [
        name,
        (...args: unknown[]) => {
          seen.push(`atomics.${name} @${String(args[args.length - 1])}`);
          return (Atomics as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args.slice(0, -1));
        },
      ]),
    ),
  };
  return { runtime, seen };
}

/** Runs instrumented script code with the stand-in runtime; typed arrays are made to look shared. */
function runInstrumented(code: string): { result: unknown; seen: string[] } {
  const out = instrumentSource(code, { filename: '/virtual/program.js', sourceType: 'script' });
  if (!out) throw new Error('nothing was instrumented');
  const { runtime, seen } = recordingRuntime();
  const key = Symbol.for(RUNTIME_KEY);
  (globalThis as Record<symbol, unknown>)[key] = runtime;
  try {
    const result = new Function('share', out.code)((view: object) => Object.defineProperty(view, SHADOW, { value: undefined }));
    return { result, seen };
  } finally {
    delete (globalThis as Record<symbol, unknown>)[key];
  }
}

const instrumented = (code: string, sourceType: 'module' | 'script' = 'module') => instrumentSource(code, { filename: '/virtual/m.js', sourceType })?.code;

describe('instrumentSource rewrites', () => {
  it('element reads, writes, compound assignments and updates, keeping the result of every expression', () => {
    const { result, seen } = runInstrumented(`
      const a = share(new Int32Array(4));
      a[0] = 5;
      a[1] = a[0] + 1;
      a[2] += a[1];
      const post = a[3]++;
      const pre = ++a[3];
      return [Array.from(a), post, pre, (a[0] = 9)];
    `);
    expect(result).toEqual([[5, 6, 6, 2], 0, 2, 9]);
    expect(seen.filter((line) => !line.startsWith('site'))).toEqual(['w 0 @100', 'r 0 @102', 'w 1 @101', 'r 1 @104', 'u 2 += @103', 'p 3 1 @105', 'p 3 1 @106', 'spread typed @107', 'w 0 @108']);
  });

  it('Atomics calls, with the site after the real arguments', () => {
    const { result, seen } = runInstrumented(`
      const a = new Int32Array(new SharedArrayBuffer(8));
      Atomics.store(a, 0, 3);
      const old = Atomics.add(a, 0, 2);
      const swapped = Atomics.compareExchange(a, 1, 0, 7);
      return [old, swapped, Atomics.load(a, 0), Atomics.load(a, 1), Atomics.notify(a, 0)];
    `);
    expect(result).toEqual([3, 0, 5, 7, 0]);
    expect(seen.filter((line) => line.startsWith('atomics'))).toEqual([
      'atomics.store @100',
      'atomics.add @101',
      'atomics.compareExchange @102',
      'atomics.load @103',
      'atomics.load @104',
      'atomics.notify @105',
    ]);
  });

  it('DataView reads and writes, keeping results, the object a method is called on, and its arguments', () => {
    const { result, seen } = runInstrumented(`
      const view = new DataView(new ArrayBuffer(16));
      view.setInt32(4, -2, true);
      view.setFloat64(8, 1.5);
      const other = { getInt32(...args) { return [this === other, args.length, ...args]; } };
      return [view.getInt32(4, true), view.getUint8(4), view.getFloat64(8), other.getInt32(), other.getInt32(1, 2, 3)];
    `);
    expect(result).toEqual([-2, 254, 1.5, [true, 0], [true, 3, 1, 2, 3]]);
    expect(seen.filter((line) => line.startsWith('dv')).map((line) => line.replace(/ @\d+$/, ''))).toEqual([
      'dv DataView 4 4 set',
      'dv DataView 8 8 set',
      'dv DataView 4 4 get',
      'dv DataView 4 1 get',
      'dv DataView 8 8 get',
      'dv other undefined 4 get',
      'dv other 1 4 get',
    ]);
  });

  it('built-ins that touch many elements, spreads and Array.from, keeping results, this and arguments', () => {
    const { result, seen } = runInstrumented(`
      const a = share(new Int32Array([5, 1, 4, 2]));
      const map = new Map();
      const other = { fill(...args) { return [this === other, args.length]; } };
      return [
        Array.from(a.slice(1, 3)), a.indexOf(4), a.includes(9), a.at(-1), a.join('-'),
        map.set('k', 1) === map, 'text'.at(1), other.fill(), [...a.subarray(2)], Array.from(a), Math.max(...a),
        Array.from(a.sort()), Array.from(a.fill(7, 3)), Array.from(a.copyWithin(0, 3)),
      ];
    `);
    expect(result).toEqual([[1, 4], 2, false, 2, '5-1-4-2', true, 'e', [true, 0], [4, 2], [5, 1, 4, 2], 5, [1, 2, 4, 5], [1, 2, 4, 7], [7, 2, 4, 7]]);
    const recorded = seen.filter((line) => line.startsWith('bulk') || line.startsWith('spread')).map((line) => line.replace(/ @\d+$/, ''));
    expect(recorded).toEqual([
      'bulk typed.slice',
      'spread typed',
      'bulk typed.indexOf',
      'bulk typed.includes',
      'bulk typed.at',
      'bulk typed.join',
      // The stand-in answers "not classified yet" for every object, so the map's set, the string's at and
      // the object's fill are handed over too: the runtime tells them apart (it checks for the built-in).
      'bulk other.set',
      'bulk other.at',
      'bulk other.fill',
      'spread typed',
      'spread typed',
      'spread typed',
      'bulk typed.sort',
      'spread typed',
      'bulk typed.fill',
      'spread typed',
      'bulk typed.copyWithin',
      'spread typed',
    ]);
  });

  it('what for…of loops and array patterns iterate, keeping values, holes, rest elements and break', () => {
    const { result, seen } = runInstrumented(`
      const a = share(new Int32Array([1, 2, 3, 4]));
      let total = 0;
      for (const value of a) total += value;
      for (const [key, value] of new Map([['k', 5]])) total += value;
      for (const value of a) { total += 10 * value; break; }
      const [first, , third, ...rest] = a;
      let x, y;
      [x, y] = 'xy';
      return [total, first, third, rest, x + y];
    `);
    expect(result).toEqual([25, 1, 3, [4], 'xy']);
    expect(seen.filter((line) => line.startsWith('iterate')).map((line) => line.replace(/ @\d+$/, ''))).toEqual([
      'iterate typed',
      'iterate other',
      'iterate typed',
      'iterate typed',
      'iterate other',
    ]);
  });

  it('calls with spread arguments: only the spread is recorded, not the call', () => {
    for (const code of ['Atomics.add(...args);', 'view.getInt32(...args);', 'a.fill(...args);']) {
      const output = instrumented(code)!;
      expect(output).toContain('__racecheckSpread(args, ');
      expect(output).not.toMatch(/__racecheck\.atomics|__racecheckM\d/);
    }
  });

  it('leaves built-ins that call back into the program, Array.from with a mapping function, and for await, alone', () => {
    expect(instrumented('a.sort((x, y) => x - y); a.forEach(f); a.map(f); Array.from(a, f); async () => { for await (const x of a) f(x); };')).toBeUndefined();
  });

  it('records nothing for a DataView call that throws', () => {
    const { result, seen } = runInstrumented(`
      const view = new DataView(new ArrayBuffer(4));
      try { view.getInt32(2); } catch (error) { return [error.constructor.name]; }
    `);
    expect(result).toEqual(['RangeError']);
    expect(seen.filter((line) => line.startsWith('dv'))).toEqual([]);
  });

  it('evaluates object, key and value once each, left to right', () => {
    const { result } = runInstrumented(`
      const order = [];
      const a = share(new Int32Array(4));
      const o = () => (order.push('object'), a);
      const k = () => (order.push('key'), 1);
      const v = () => (order.push('value'), 4);
      o()[k()] = v();
      const read = o()[k()];
      return [order.join(','), read];
    `);
    expect(result).toEqual(['object,key,value,object,key', 4]);
  });

  it('nested accesses, parenthesised objects and comments between the brackets', () => {
    const { result } = runInstrumented(`
      const a = share(new Int32Array([1, 2, 3, 4]));
      const index = share(new Int32Array([3, 2]));
      return [a[index[0]], (a)[ /* ] */ index[1] ], a[index[a[0]]]];
    `);
    expect(result).toEqual([4, 3, 3]);
  });

  it('keeps a hashbang first and "use strict" a directive', () => {
    const code = instrumented(`#!/usr/bin/env node\n'use strict';\nconst a = [];\na[0] = 1;\n`, 'script')!;
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(code.split('\n')[1]!.startsWith("'use strict';")).toBe(true);
  });

  it('names the original TypeScript position through an inline source map', async () => {
    const { transformSync } = await import('esbuild');
    const ts = `interface P { x: number }\nconst unused: P = { x: 1 };\nexport function bump(a: Int32Array): void {\n  a[0] = a[0]! + 1;\n}\n`;
    const js = transformSync(ts, { loader: 'ts', format: 'esm', sourcemap: 'inline', sourcefile: '/virtual/bump.ts' }).code;
    const code = instrumentSource(js, { filename: 'file:///virtual/bump.js', sourceType: 'module' })!.code;
    const sites = JSON.parse(/sites\((\[.*?\])\)/.exec(code)![1]!) as string[];
    expect(sites.map((site) => site.split('\n').slice(0, 3).join(':'))).toEqual(['/virtual/bump.ts:4:3', '/virtual/bump.ts:4:10']);
    expect(sites.every((site) => site.endsWith('\nbump'))).toBe(true);
  });
});

describe('instrumentSource leaves alone', () => {
  const untouched = [
    ['a call target (this binding)', 'obj.list[i]();'],
    ['an optional chain', 'const v = a?.[i] ?? b?.c[i];'],
    ['delete', 'delete a[i];'],
    ['a logical assignment', 'a[0] ||= 1;'],
    ['string-literal keys', "o['name'] = o['other'];"],
    ['symbol keys', 'const it = o[Symbol.iterator];'],
    ['super members', 'class A extends B { m() { return super[k]; } }'],

    ['optional DataView calls', 'view?.getInt32(0); view.setInt8?.(0, 1); a?.b.getUint8(0);'],
    ['super calls of DataView method names', 'class V extends DataView { getInt32(o) { return super.getInt32(o); } }'],
    ['computed method names', "view['getInt32'](0);"],
  ] as const;
  for (const [what, code] of untouched) {
    it(what, () => {
      expect(instrumented(code)).toBeUndefined();
    });
  }

  it('element targets of destructuring and for…of (only what is iterated goes through the runtime)', () => {
    for (const code of ['[a[0], a[1]] = [1, 2];', 'for (a[0] of [1, 2]);']) {
      const output = instrumented(code)!;
      expect(output).toContain('__racecheckIterate([1, 2], ');
      expect(output).not.toMatch(/__racecheck[RW]\d/);
    }
  });

  it('code that was already instrumented', () => {
    const once = instrumented('a[0] = 1;')!;
    expect(instrumented(once)).toBeUndefined();
  });

  it('and throws InstrumentParseError on code it cannot parse', () => {
    expect(() => instrumented("import data from './x.json' assert { type: 'json' };\na[0] = 1;")).toThrow(InstrumentParseError);
  });
});
