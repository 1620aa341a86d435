import rule from '../../src/static/rules/lock-order-inversion.js';
import { ruleTester } from './rule-tester.js';

const header = "import { Lock, RLock } from 'racecheck/primitives';\nconst a = new Lock();\nconst b = new Lock();\n";

ruleTester(rule, {
  valid: [
    header + 'export function one() { a.acquire(); b.acquire(); b.release(); a.release(); }\nexport function two() { a.acquire(); b.acquire(); b.release(); a.release(); }',
    header + 'export function one() { a.withLock(() => b.withLock(() => 1)); }\nexport function two() { a.withLock(() => b.withLock(() => 2)); }',
    { name: 'released before taking the other', code: header + 'export function one() { a.acquire(); a.release(); b.acquire(); b.release(); }\nexport function two() { b.acquire(); b.release(); a.acquire(); a.release(); }' },
    { name: 'a try-acquire backs off', code: header + 'export function one() { a.acquire(); b.acquire(); b.release(); a.release(); }\nexport function two() { b.acquire(); if (a.acquire({ blocking: false })) a.release(); b.release(); }' },
    { name: 'parameters are not known to alias', code: "import { Lock } from 'racecheck/primitives';\nexport function move(x: Lock, y: Lock) { x.acquire(); y.acquire(); y.release(); x.release(); }" },
    { name: 'a callee that takes the same order', code: header + 'function inner() { b.withLock(() => 1); }\nexport function one() { a.withLock(() => inner()); }\nexport function two() { a.acquire(); b.acquire(); b.release(); a.release(); }' },
    header + 'export function only() { a.withLock(() => 1); b.withLock(() => 2); }',
    { name: "async-mutex's runExclusive in one order", code: "import { Mutex } from 'async-mutex';\nconst m1 = new Mutex();\nconst m2 = new Mutex();\nexport async function one() { await m1.runExclusive(() => m2.runExclusive(() => 1)); }\nexport async function two() { await m1.runExclusive(() => m2.runExclusive(() => 2)); }" },
    { name: 'one lock only', code: header + 'export function one() { a.acquire(); a.release(); }\nexport function two() { a.withLock(() => 1); }' },
  ],
  invalid: [
    { code: header + 'export function one() {\n  a.acquire();\n  b.acquire();\n  b.release();\n  a.release();\n}\nexport function two() {\n  b.acquire();\n  a.acquire();\n  a.release();\n  b.release();\n}', errors: [{ messageId: 'inversion', line: 12 }] },
    { code: header + 'export function one() {\n  a.withLock(() => b.withLock(() => 1));\n}\nexport function two() {\n  b.withLock(() => a.withLock(() => 2));\n}', errors: [{ messageId: 'inversion', line: 8 }] },
    { name: 'through a call', code: header + 'function takeB() {\n  b.withLock(() => 1);\n}\nexport function one() {\n  a.withLock(() => takeB());\n}\nexport function two() {\n  b.withLock(() => a.withLock(() => 2));\n}', errors: [{ messageId: 'inversion', line: 8 }] },
    { name: 'async forms', code: header + 'export async function one() {\n  await a.acquireAsync();\n  await b.acquireAsync();\n  b.release();\n  a.release();\n}\nexport async function two() {\n  await b.withLockAsync(async () => {\n    await a.withLockAsync(async () => 1);\n  });\n}', errors: [{ messageId: 'inversion', line: 12 }] },
    { name: 'class fields', code: "import { Lock } from 'racecheck/primitives';\nexport class Bank {\n  from = new Lock();\n  to = new Lock();\n  send() {\n    this.from.withLock(() => this.to.withLock(() => 1));\n  }\n  refund() {\n    this.to.withLock(() => this.from.withLock(() => 2));\n  }\n}", errors: [{ messageId: 'inversion', line: 9 }] },
    { name: 'RLocks too', code: "import { RLock } from 'racecheck/primitives';\nconst x = new RLock();\nconst y = new RLock();\nexport function one() {\n  x.withLock(() => y.withLock(() => 1));\n}\nexport function two() {\n  y.withLock(() => x.withLock(() => 2));\n}", errors: [{ messageId: 'inversion', line: 8 }] },
    { name: 'a three-lock cycle', code: header + 'const c = new Lock();\nexport function one() {\n  a.withLock(() => b.withLock(() => 1));\n}\nexport function two() {\n  b.withLock(() => c.withLock(() => 2));\n}\nexport function three() {\n  c.withLock(() => a.withLock(() => 3));\n}', errors: [{ messageId: 'inversion', line: 12 }] },
    { name: "async-mutex's runExclusive", code: "import { Mutex } from 'async-mutex';\nconst m1 = new Mutex();\nconst m2 = new Mutex();\nexport async function one() {\n  await m1.runExclusive(() => m2.runExclusive(() => 1));\n}\nexport async function two() {\n  await m2.runExclusive(() => m1.runExclusive(() => 2));\n}", errors: [{ messageId: 'inversion', line: 8 }] },
    { name: 'a two-level call chain', code: header + 'function deeper() {\n  a.withLock(() => 1);\n}\nfunction middle() {\n  deeper();\n}\nexport function one() {\n  a.withLock(() => b.withLock(() => 1));\n}\nexport function two() {\n  b.withLock(() => middle());\n}', errors: [{ messageId: 'inversion', line: 14 }] },
  ],
});
