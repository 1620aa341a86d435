import rule from '../../src/static/rules/condition-wait-without-loop.js';
import { ruleTester } from './rule-tester.js';

const header = "import { Condition, Lock } from 'racecheck/primitives';\n";

ruleTester(rule, {
  valid: [
    header + 'export function take(c: Condition, items: number[]) { c.acquire(); while (items.length === 0) c.wait(); c.release(); }',
    header + 'export function take(c: Condition, items: number[]) { c.withLock(() => { while (!items.length) { c.wait(100); } }); }',
    header + 'export function take(c: Condition, items: number[]) { c.acquire(); do { c.wait(); } while (items.length === 0); c.release(); }',
    header + 'export function take(c: Condition, items: number[]) { c.acquire(); for (;;) { if (items.length) break; c.wait(); } c.release(); }',
    header + 'export function take(c: Condition, items: number[]) { c.acquire(); c.waitFor(() => items.length > 0); c.release(); }',
    header + 'export async function take(c: Condition, items: number[]) { await c.acquireAsync(); while (!items.length) await c.waitAsync(); c.release(); }',
    { name: 'wait() of something that is not a Condition', code: 'export function f(e: { wait(): void }) { e.wait(); }' },
    { name: 'an Event wait needs no loop', code: "import { Event } from 'racecheck/primitives';\nexport function f(e: Event) { e.wait(); }" },
    header + 'export function take(c: Condition, queue: string[]) { c.acquire(); for (const _ of [1]) { c.wait(); } c.release(); }',
  ],
  invalid: [
    { code: header + 'export function take(c: Condition, items: number[]) {\n  c.acquire();\n  if (items.length === 0) c.wait();\n  c.release();\n}', errors: [{ messageId: 'noLoop', line: 4 }] },
    { code: header + 'export function take(c: Condition) {\n  c.acquire();\n  c.wait();\n  c.release();\n}', errors: [{ messageId: 'noLoop', line: 4 }] },
    { code: header + 'export async function take(c: Condition, items: number[]) {\n  await c.acquireAsync();\n  if (!items.length) await c.waitAsync();\n  c.release();\n}', errors: [{ messageId: 'noLoop', line: 4 }] },
    { code: header + 'export function take(c: Condition) {\n  c.withLock(() => c.wait(50));\n}', errors: [{ messageId: 'noLoop', line: 3 }] },
    { name: 'a loop outside the callback does not count', code: header + 'export function take(c: Condition, items: number[]) {\n  while (items.length === 0) {\n    c.withLock(() => {\n      c.wait();\n    });\n  }\n}', errors: [{ messageId: 'noLoop', line: 5 }] },
    { code: header + 'export class Box {\n  constructor(private c: Condition) {}\n  take() {\n    this.c.wait();\n  }\n}', errors: [{ messageId: 'noLoop', line: 5 }] },
    { code: header + 'const c = new Condition(new Lock());\nc.acquire();\nc.wait(10);\nc.release();', errors: [{ messageId: 'noLoop', line: 4 }] },
    { code: header + 'export function take(c: Condition, ready: boolean) {\n  c.acquire();\n  if (!ready) {\n    c.wait();\n  }\n  c.release();\n}', errors: [{ messageId: 'noLoop', line: 5 }] },
  ],
});
