import rule from '../../src/static/rules/blocking-wait-on-main-thread.js';
import { ruleTester } from './rule-tester.js';

const header = "import { isMainThread } from 'node:worker_threads';\nimport { Event, Lock, Queue, Thread } from 'racecheck/primitives';\n";

ruleTester(rule, {
  valid: [
    header + 'if (isMainThread) { const t = new Thread({ target: "work" }); t.start(); await t.joinAsync(); }',
    header + 'if (isMainThread) { const q = new Queue<number>(); await q.getAsync(); }',
    header + 'if (isMainThread) { const l = new Lock(); await l.withLockAsync(() => 1); }',
    header + 'if (isMainThread) { const l = new Lock(); l.acquire({ blocking: false }); }',
    header + 'if (isMainThread) { const q = new Queue<number>(); q.get({ block: false }); }',
    { name: 'blocking calls in a worker function', code: header + 'export function work(q: Queue<number>, l: Lock) { q.get(); l.acquire(); l.release(); }' },
    { name: 'the else branch runs in workers', code: header + 'if (isMainThread) { console.log(1); } else { new Event().wait(); }' },
    { name: 'put on a queue waits only when a bounded one is full', code: header + 'if (isMainThread) { const q = new Queue<number>(); q.put(1); }' },
    { name: 'a callback defined in the main block runs later, elsewhere', code: header + 'if (isMainThread) { const e = new Event(); setTimeout(() => e.set(), 1); await e.waitAsync(); }' },
  ],
  invalid: [
    { code: header + 'if (isMainThread) {\n  const t = new Thread({ target: "work" });\n  t.start();\n  t.join();\n}', errors: [{ messageId: 'blockingOnMain', line: 6 }] },
    { code: header + 'if (isMainThread) {\n  const q = new Queue<number>();\n  q.get();\n}', errors: [{ messageId: 'blockingOnMain', line: 5 }] },
    { code: header + 'if (isMainThread) {\n  const l = new Lock();\n  l.acquire();\n  l.release();\n}', errors: [{ messageId: 'blockingOnMain', line: 5 }] },
    { code: header + 'if (isMainThread) {\n  const e = new Event();\n  e.wait(100);\n}', errors: [{ messageId: 'blockingOnMain', line: 5 }] },
    { code: header + 'if (isMainThread) {\n  const flag = new Int32Array(new SharedArrayBuffer(4));\n  Atomics.wait(flag, 0, 0);\n}', errors: [{ messageId: 'blockingOnMain', line: 5 }] },
    { name: 'a function called from the main block', code: header + 'function waitAll(ts: Thread[]) {\n  for (const t of ts) t.join();\n}\nif (isMainThread) {\n  waitAll([]);\n}', errors: [{ messageId: 'blockingOnMain', line: 4 }] },
    { code: header + 'if (isMainThread) {\n  const l = new Lock();\n  l.withLock(() => 1);\n}', errors: [{ messageId: 'blockingOnMain', line: 5 }] },
    { code: header + 'if (isMainThread) {\n  const q = new Queue<number>();\n  q.put(1);\n  q.join();\n  q.get();\n}', errors: [{ messageId: 'blockingOnMain', line: 6 }, { messageId: 'blockingOnMain', line: 7 }] },
  ],
});
