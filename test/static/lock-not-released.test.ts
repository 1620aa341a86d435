import rule from '../../src/static/rules/lock-not-released.js';
import { ruleTester } from './rule-tester.js';

const header = "import { Lock, RLock, Semaphore } from 'racecheck/primitives';\n";

ruleTester(rule, {
  valid: [
    header + 'export function f(lock: Lock) { lock.acquire(); try { work(); } finally { lock.release(); } }\nfunction work() {}',
    header + 'export function f(lock: Lock, x: number) { lock.acquire(); try { if (x) return 1; return 2; } finally { lock.release(); } }',
    header + 'export function f(lock: Lock) { lock.withLock(() => { return 1; }); }',
    header + 'export function f(lock: Lock) { lock.acquire(); const v = 1 + 1; lock.release(); return v; }',
    header + 'export async function f(lock: Lock) { await lock.acquireAsync(); try { await Promise.resolve(); } finally { lock.release(); } }',
    { name: 'a break that stays inside a nested loop', code: header + 'export function f(lock: Lock, xs: number[]) { lock.acquire(); for (const x of xs) { if (x) break; } lock.release(); }' },
    { name: 'a return inside a nested function', code: header + 'export function f(lock: Lock) { lock.acquire(); const g = () => { return 1; }; lock.release(); return g; }' },
    { name: 'an acquire in a condition is not followed here', code: header + 'export function f(lock: Lock) { if (!lock.acquire({ blocking: false })) return; lock.release(); }' },
    header + 'export function f(s: Semaphore) { s.acquire(); try { return 1; } finally { s.release(); } }',
    { name: "async-mutex's Mutex released in finally", code: "import { Mutex } from 'async-mutex';\nexport async function f(m: Mutex) { await m.acquire(); try { return 1; } finally { m.release(); } }" },
    { name: 'not a racecheck lock', code: 'export function f(m: { acquire(): void; release(): void }) { m.acquire(); return 1; }' },
  ],
  invalid: [
    { code: header + 'export function f(lock: Lock, x: number) {\n  lock.acquire();\n  if (x) return 1;\n  lock.release();\n  return 2;\n}', errors: [{ messageId: 'exitWithoutRelease', line: 4 }] },
    { code: header + 'export function f(lock: Lock, x: number) {\n  lock.acquire();\n  if (x < 0) throw new Error("negative");\n  lock.release();\n}', errors: [{ messageId: 'exitWithoutRelease', line: 4 }] },
    { code: header + 'export function f(lock: Lock, xs: number[]) {\n  for (const x of xs) {\n    lock.acquire();\n    if (x) break;\n    lock.release();\n  }\n}', errors: [{ messageId: 'exitWithoutRelease', line: 5 }] },
    { code: header + 'export function f(lock: Lock, xs: number[]) {\n  for (const x of xs) {\n    lock.acquire();\n    if (x) continue;\n    lock.release();\n  }\n}', errors: [{ messageId: 'exitWithoutRelease', line: 5 }] },
    { code: header + 'export function f(lock: Lock) {\n  lock.acquire();\n  return 1;\n}', errors: [{ messageId: 'neverReleased', line: 3 }] },
    { code: header + 'export async function f(lock: Lock, x: number) {\n  await lock.acquireAsync();\n  if (x) return;\n  lock.release();\n}', errors: [{ messageId: 'exitWithoutRelease', line: 4 }] },
    { code: header + 'export function f(lock: RLock, x: number) {\n  lock.acquire();\n  switch (x) {\n    case 1:\n      return 1;\n  }\n  lock.release();\n}', errors: [{ messageId: 'exitWithoutRelease', line: 6 }] },
    { code: header + 'export function f(s: Semaphore, x: number) {\n  s.acquire();\n  if (x) return;\n  s.release();\n}', errors: [{ messageId: 'exitWithoutRelease', line: 4 }] },
    { name: "async-mutex's Mutex", code: "import { Mutex } from 'async-mutex';\nexport async function f(m: Mutex, x: number) {\n  await m.acquire();\n  if (x) return;\n  m.release();\n}", errors: [{ messageId: 'exitWithoutRelease', line: 4 }] },
    { name: 'a try without a releasing finally does not help', code: header + 'export function f(lock: Lock, x: number) {\n  lock.acquire();\n  try {\n    if (x) return;\n  } catch {}\n  lock.release();\n}', errors: [{ messageId: 'exitWithoutRelease', line: 5 }] },
  ],
});
