import rule from '../../src/static/rules/lock-held-across-await.js';
import { ruleTester } from './rule-tester.js';

const header = "import { Lock, RLock } from 'racecheck/primitives';\n";

ruleTester(rule, {
  valid: [
    header + 'export async function f(lock: Lock) { await lock.acquireAsync(); try { await Promise.resolve(); } finally { lock.release(); } }',
    header + 'export async function f(lock: Lock) { await lock.withLockAsync(async () => { await Promise.resolve(); }); }',
    header + 'export async function f(lock: Lock) { lock.acquire(); lock.release(); await Promise.resolve(); }',
    header + 'export async function f(lock: Lock) { await Promise.resolve(); lock.acquire(); lock.release(); }',
    header + 'export function f(lock: Lock) { lock.acquire(); lock.release(); }',
    { name: 'an await in a nested function', code: header + 'export async function f(lock: Lock) { lock.acquire(); const g = async () => { await 1; }; lock.release(); return g; }' },
    header + 'export async function f(a: Lock, b: Lock) { a.acquire(); a.release(); await b.acquireAsync(); b.release(); }',
    { name: 'not a racecheck lock', code: 'export async function f(m: { acquire(): void; release(): void }) { m.acquire(); await 1; m.release(); }' },
  ],
  invalid: [
    { code: header + 'export async function f(lock: Lock) {\n  lock.acquire();\n  await Promise.resolve();\n  lock.release();\n}', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export async function f(lock: RLock) {\n  lock.acquire();\n  try {\n    await fetch("http://127.0.0.1");\n  } finally {\n    lock.release();\n  }\n}', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export async function f(lock: Lock) {\n  lock.acquire();\n  await Promise.resolve();\n}', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export const f = async (lock: Lock) => {\n  lock.acquire();\n  await 1;\n  lock.release();\n};', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export class Store {\n  lock = new Lock();\n  async save() {\n    this.lock.acquire();\n    await Promise.resolve();\n    this.lock.release();\n  }\n}', errors: [{ messageId: 'heldAcrossAwait', line: 5 }] },
    { code: header + 'export async function f(a: Lock, b: Lock) {\n  a.acquire();\n  b.acquire();\n  b.release();\n  await 1;\n  a.release();\n}', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export async function* f(lock: Lock) {\n  lock.acquire();\n  yield 1;\n  lock.release();\n}', errors: [{ messageId: 'heldAcrossAwait', line: 3 }] },
    { code: header + 'export async function f(lock: Lock, xs: number[]) {\n  for (const x of xs) {\n    lock.acquire();\n    await x;\n    lock.release();\n  }\n}', errors: [{ messageId: 'heldAcrossAwait', line: 4 }] },
  ],
});
