/**
 * Cases in the spirit of ESLint's own require-atomic-updates tests (rewritten, not copied), and where
 * racecheck's verdict differs — see docs/rules/atomic-update-across-await.md.
 */
import rule from '../../src/static/rules/atomic-update-across-await.js';
import { ruleTester } from './rule-tester.js';

const fetchValue = 'declare function fetchValue(): Promise<number>;\n';

ruleTester(rule, {
  valid: [
    { name: 'a local variable', code: fetchValue + 'export async function f() { let x = 0; x += await fetchValue(); return x; }' },
    { name: 'a parameter reassigned', code: fetchValue + 'export async function f(total: number) { total = total + await fetchValue(); return total; }' },
    { name: 'a fresh object', code: fetchValue + 'export async function f() { const o = { n: 0 }; o.n += await fetchValue(); return o; }' },
    { name: 'the write does not depend on the stale read', code: fetchValue + 'let x = 0;\nexport async function f() { x = await fetchValue(); }' },
    { name: 'read after the await', code: fetchValue + 'let x = 0;\nexport async function f() { const v = await fetchValue(); x = x + v; }' },
    { name: 'not async', code: 'let x = 0;\nexport function f(v: number) { x = x + v; }' },
    { name: 'under an async lock', code: fetchValue + "import { Lock } from 'racecheck/primitives';\nconst lock = new Lock();\nlet x = 0;\nexport async function f() { await lock.withLockAsync(async () => { x += await fetchValue(); }); }" },
    { name: 'between acquireAsync and release', code: fetchValue + "import { Lock } from 'racecheck/primitives';\nconst lock = new Lock();\nlet x = 0;\nexport async function f() { await lock.acquireAsync(); try { const v = x; await fetchValue(); x = v + 1; } finally { lock.release(); } }" },
    { name: 'a stale local not used in the write', code: fetchValue + 'let x = 0;\nexport async function f() { const old = x; await fetchValue(); x = 5; return old; }' },
    { name: 'an await in a nested function', code: fetchValue + 'let x = 0;\nexport async function f() { const g = async () => { await fetchValue(); }; x = x + 1; return g; }' },
  ],
  invalid: [
    { name: 'compound assignment around an await', code: fetchValue + 'let total = 0;\nexport async function add() {\n  total += await fetchValue();\n}', errors: [{ messageId: 'staleWrite', line: 4 }] },
    { name: 'read, await, write in one expression', code: fetchValue + 'let total = 0;\nexport async function add() {\n  total = total + await fetchValue();\n}', errors: [{ messageId: 'staleWrite', line: 4 }] },
    { name: 'the stale value kept in a local', code: fetchValue + 'let balance = 100;\nexport async function withdraw(n: number) {\n  const current = balance;\n  await fetchValue();\n  balance = current - n;\n}', errors: [{ messageId: 'staleWrite', line: 6 }] },
    { name: 'a property of a shared object', code: fetchValue + 'export const account = { balance: 0 };\nexport async function deposit() {\n  account.balance += await fetchValue();\n}', errors: [{ messageId: 'staleWrite', line: 4 }] },
    { name: 'a property of a parameter object', code: fetchValue + 'export async function deposit(account: { balance: number }) {\n  const before = account.balance;\n  await fetchValue();\n  account.balance = before + 1;\n}', errors: [{ messageId: 'staleWrite', line: 5 }] },
    { name: 'a field through this', code: fetchValue + 'export class Counter {\n  n = 0;\n  async bump() {\n    this.n = this.n + await fetchValue();\n  }\n}', errors: [{ messageId: 'staleWrite', line: 5 }] },
    { name: 'a captured variable', code: fetchValue + 'export function makeCounter() {\n  let n = 0;\n  return async () => {\n    n += await fetchValue();\n  };\n}', errors: [{ messageId: 'staleWrite', line: 5 }] },
    { name: 'in an async arrow', code: fetchValue + 'let hits = 0;\nexport const hit = async () => {\n  const seen = hits;\n  await fetchValue();\n  hits = seen + 1;\n};', errors: [{ messageId: 'staleWrite', line: 6 }] },
  ],
});
