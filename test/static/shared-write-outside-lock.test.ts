import rule from '../../src/static/rules/shared-write-outside-lock.js';
import { ruleTester } from './rule-tester.js';

const header = "import { Lock, Thread, Timer } from 'racecheck/primitives';\n";
const start = (target: string, args = '[]'): string => `\nnew Thread({ target: ${target}, args: ${args} }).start();`;

ruleTester(rule, {
  valid: [
    { name: 'under withLock', code: header + 'export function bump(c: Int32Array, l: Lock) { l.withLock(() => { c[0] = c[0]! + 1; }); }' + start('bump') },
    { name: 'between acquire and release', code: header + 'export function bump(c: Int32Array, l: Lock) { l.acquire(); c[0] = c[0]! + 1; l.release(); }' + start('bump') },
    { name: 'through Atomics', code: header + 'export function bump(c: Int32Array) { Atomics.add(c, 0, 1); }' + start('bump') },
    { name: 'each thread its own slot', code: header + 'export function fill(slots: Int32Array, slot: number) { slots[slot] = slot; }' + start('fill') },
    { name: 'not thread code', code: 'export function bump(c: Int32Array) { c[0] = c[0]! + 1; }' },
    { name: 'a buffer the thread made itself', code: header + 'export function work() { const local = new Int32Array(4); local[0] = 1; return local; }' + start('work') },
    { name: 'a helper only called under a lock', code: header + 'function put(c: Int32Array) { c[0] = 1; }\nexport function work(c: Int32Array, l: Lock) { l.withLock(() => put(c)); }' + start('work') },
    { name: 'a plain array is not shared memory', code: header + 'export function work(xs: number[]) { xs[0] = 1; }' + start('work') },
    { name: 'reads are fine', code: header + 'export function work(c: Int32Array) { return c[0]; }' + start('work') },
  ],
  invalid: [
    { code: header + 'export function bump(c: Int32Array) {\n  c[0] = c[0]! + 1;\n}' + start('bump'), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { code: header + 'export function bump(c: Int32Array) {\n  c[0]++;\n}' + start('bump'), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { code: header + 'export function bump(c: Float64Array) {\n  c[2] += 1.5;\n}' + start('bump'), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { name: 'a target given by name', code: header + 'export function bump(c: Int32Array) {\n  c[0] = 1;\n}' + start("'bump'"), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { name: 'a Thread subclass run()', code: header + 'export class Worker extends Thread {\n  constructor(readonly c: Int32Array) { super(); }\n  override run() {\n    this.c[0] = 1;\n  }\n}', errors: [{ messageId: 'unprotectedWrite', line: 5 }] },
    { name: 'a Timer target', code: header + 'export function tick(c: Int32Array) {\n  c[0] = c[0]! + 1;\n}\nnew Timer(10, tick, []).start();', errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { name: 'a helper called outside the lock', code: header + 'function put(c: Int32Array) {\n  c[0] = 1;\n}\nexport function work(c: Int32Array) { put(c); }' + start('work'), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
    { name: 'released before the write', code: header + 'export function bump(c: Int32Array, l: Lock) {\n  l.acquire();\n  const v = c[0]!;\n  l.release();\n  c[0] = v + 1;\n}' + start('bump'), errors: [{ messageId: 'unprotectedWrite', line: 6 }] },
    { name: 'memory typed over SharedArrayBuffer', code: header + 'export function bump(c: Int32Array<SharedArrayBuffer>) {\n  c[1] = 2;\n}' + start('bump'), errors: [{ messageId: 'unprotectedWrite', line: 3 }] },
  ],
});
