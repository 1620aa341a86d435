/**
 * The async half of the transform: async functions become tasks, awaits announce themselves, reads that
 * feed a later write of the same shared state remember their segment, and writes of that state are
 * recorded — while the rewritten code computes exactly what the original did. Run against a stand-in
 * runtime whose await moves to a new segment when it resumes, as the real event loop does.
 */
import { describe, expect, it } from 'vitest';
import { RUNTIME_KEY } from '../../src/instrument/abi.js';
import { instrumentSource } from '../../src/instrument/transform/transform.js';

interface Recorded {
  seen: string[];
  sites: string[];
}

function standInRuntime(): { runtime: object; recorded: Recorded } {
  const recorded: Recorded = { seen: [], sites: [] };
  const seg = new Int32Array(1);
  const names: string[] = [];
  let nextTask = 1;
  const site = (id: number): string => recorded.sites[id - 100] ?? `?${id}`;
  const runtime = {
    sites: (list: string[]) => {
      recorded.sites.push(...list.map((text) => text.split('\n').slice(1).join(':')));
      return 100;
    },
    shadow: Symbol('unused'),
    epoch: new Int32Array([2]),
    // Element and built-in accesses are transform.test.ts's subject: here they pass straight through.
    hot: { run: {} },
    dataView: Symbol('unused'),
    dv: () => undefined,
    bulk: () => undefined,
    spread: (value: unknown) => value,
    iterate: (value: unknown) => value,
    async: {
      seg,
      names: (list: string[]) => list.map((name) => names.push(name) - 1),
      binding: () => 1000 + nextTask++,
      enter: (at: number) => {
        recorded.seen.push(`enter ${site(at)}`);
        return nextTask++;
      },
      exit: () => undefined,
      s: (value: unknown, _task: number, at: number) => {
        recorded.seen.push(`await ${site(at)}`);
        return Promise.resolve(value).then((result) => {
          seg[0]!++;
          return result;
        });
      },
      w: (value: unknown, object: unknown, key: number, at: number, readSegment?: number, readSite?: number, awaitSite?: number) => {
        const what = typeof object === 'number' ? site(key) : `.${names[key]}`;
        const stale = readSegment !== undefined && readSegment !== seg[0];
        recorded.seen.push(`write ${what} @${site(at)}${stale ? ` stale(read ${site(readSite!)}, await ${site(awaitSite!)})` : ''}`);
        return value;
      },
    },
  };
  return { runtime, recorded };
}

/** Runs a module body (as an async function, so it may await) instrumented with the stand-in runtime. */
async function run(code: string): Promise<{ result: unknown; seen: string[]; code: string }> {
  // A module (top-level await allowed), run as the body of an async function.
  const out = instrumentSource(code, { filename: '/virtual/tasks.js', sourceType: 'module', async: true });
  const { runtime, recorded } = standInRuntime();
  const key = Symbol.for(RUNTIME_KEY);
  (globalThis as Record<symbol, unknown>)[key] = runtime;
  try {
    const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => () => Promise<unknown>;
    // Nothing to instrument (no async function, no shared state): the code runs as it is.
    const text = out?.code ?? code;
    const result = await new AsyncFunction(text)();
    return { result, seen: recorded.seen, code: text };
  } finally {
    delete (globalThis as Record<symbol, unknown>)[key];
  }
}

const plain = async (code: string): Promise<unknown> => {
  const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => () => Promise<unknown>;
  return new AsyncFunction(code)();
};

describe('async functions as tasks', () => {
  const programs: Record<string, string> = {
    'a returned value': `async function f(x) { await null; return x * 2; } return f(21);`,
    'a thrown error': `async function f() { await null; throw new Error('boom'); } return f().catch((e) => e.message);`,
    'an early return that never awaits': `async function f(x) { if (x) return 'early'; await null; return 'late'; } return Promise.all([f(1), f(0)]);`,
    'this and arguments': `const o = { k: 3, async m() { await null; return this.k + arguments.length; } }; return o.m(1, 2);`,
    'an arrow returning an object literal': `const f = async (x) => ({ x, y: await Promise.resolve(x + 1) }); return f(1);`,
    'a directive prologue': `async function f() { 'use strict'; await null; return typeof this; } return f();`,
    'nested calls in the synchronous start': `const log = []; async function inner(n) { log.push('in' + n); await null; log.push('out' + n); } async function outer() { const p = inner(1); log.push('between'); await inner(2); await p; return log.join(','); } return outer();`,
    'await(x) as compilers print it': `async function f() { return await(Promise.resolve(5)); } return f();`,
    'an await of a thenable': `async function f() { return await { then(resolve) { resolve(7); } }; } return f();`,
    'async generators (left alone)': `async function* g() { yield 1; await null; yield 2; } const out = []; for await (const v of g()) out.push(v); return out;`,
  };
  for (const [name, code] of Object.entries(programs)) {
    it(`keeps ${name}`, async () => {
      const { result } = await run(code);
      expect(result).toEqual(await plain(code));
    });
  }

  it('announces each async call and each await, with its site', async () => {
    const { seen } = await run(`async function f() { await null; }\nconst g = async () => { await f(); };\nawait g();`);
    expect(seen).toEqual(['enter 2:11:g', 'enter 1:1:f', 'await 1:22:f', 'await 2:25:g']);
  });
});

describe('shared state across await', () => {
  it('flags a write-back of a read made before the await, through a local', async () => {
    const { seen, result } = await run(`let balance = 100;
async function deposit(amount) {
  const current = balance;
  await null;
  balance = current + amount;
}
await Promise.all([deposit(10), deposit(20)]);
return balance;`);
    expect(result).toBe(120);
    expect(seen.filter((line) => line.startsWith('write'))).toEqual([
      'write 1:5:balance @5:3:deposit stale(read 3:19:deposit, await 4:3:deposit)',
      'write 1:5:balance @5:3:deposit stale(read 3:19:deposit, await 4:3:deposit)',
    ]);
  });

  it('flags `x += await …` (the read happens before the await)', async () => {
    const { seen, result } = await run(`let total = 1;
async function add(v) { total += await Promise.resolve(v); }
await add(2);
return total;`);
    expect(result).toBe(3);
    expect(seen.filter((line) => line.startsWith('write'))).toEqual(['write 1:5:total @2:25:add stale(read 2:25:add, await 2:34:add)']);
  });

  it('flags properties of objects the function was given, and of this', async () => {
    const { seen } = await run(`async function withdraw(account, n) { const b = account.balance; await null; account.balance = b - n; }
class Counter { count = 0; async bump() { const c = this.count; await null; this.count = c + 1; } }
await withdraw({ balance: 5 }, 1);
await new Counter().bump();`);
    expect(seen.filter((line) => line.startsWith('write'))).toEqual([
      'write .balance @1:78:withdraw stale(read 1:49:withdraw, await 1:66:withdraw)',
      'write .count @2:77:bump stale(read 2:53:bump, await 2:65:bump)',
    ]);
  });

  it('records a write-back made after the await as not stale', async () => {
    const { seen } = await run(`let n = 0;
async function inc() { await null; const seen = n; n = seen + 1; }
async function later() { const seen = n; await null; n = seen + 1; }
await inc();`);
    expect(seen.filter((line) => line.startsWith('write'))).toEqual(['write 1:5:n @2:52:inc']);
  });

  it('records the other writes of the same state, in synchronous code too', async () => {
    const { seen } = await run(`let pending = 3;
async function done() { const left = pending; await null; pending = left - 1; }
function reset() { pending = 0; pending++; }
reset();
await done();`);
    expect(seen.filter((line) => line.startsWith('write'))).toEqual([
      'write 1:5:pending @3:20:reset',
      'write 1:5:pending @3:33:reset',
      'write 1:5:pending @2:59:done stale(read 2:38:done, await 2:47:done)',
    ]);
  });

  it('gives each binding of a function variable its own identity', async () => {
    const { code } = await run(`function makeCounter() { let value = 0; return async () => { const v = value; await null; value = v + 1; }; }
await makeCounter()();`);
    expect(code).toMatch(/const __racecheckBinding0 = __racecheckAsync\.binding\(\); let value = 0;/);
  });

  const clean: Record<string, string> = {
    'a local, even across awaits': `async function sum(values) { let total = 0; for (const v of values) total += await Promise.resolve(v); return total; } return sum([1, 2]);`,
    'an object the function made': `async function build() { const report = { total: 0 }; report.total = report.total + (await Promise.resolve(3)); return report.total; } return build();`,
    'a reassigned parameter': `async function scale(factor) { factor = factor * (await Promise.resolve(2)); return factor; } return scale(5);`,
    'a shorthand property': `let name = 'a'; async function f() { const o = { name }; await null; return o.name; } return f();`,
  };
  for (const [name, code] of Object.entries(clean)) {
    it(`records nothing for ${name}`, async () => {
      const { seen, result } = await run(code);
      expect(seen.filter((line) => line.startsWith('write'))).toEqual([]);
      expect(result).toEqual(await plain(code));
    });
  }
});
