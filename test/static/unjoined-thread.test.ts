import rule from '../../src/static/rules/unjoined-thread.js';
import { ruleTester } from './rule-tester.js';

const header = "import { once } from 'node:events';\nimport { Worker } from 'node:worker_threads';\nimport { Thread } from 'racecheck/primitives';\n";

ruleTester(rule, {
  valid: [
    header + 'const t = new Thread({ target: "work" });\nt.start();\nawait t.joinAsync();',
    header + 'export function f() { const t = new Thread({ target: "work" }); t.start(); t.join(); }',
    header + 'const ts = [1, 2].map(() => new Thread({ target: "work" }));\nfor (const t of ts) t.start();\nfor (const t of ts) await t.joinAsync();',
    header + 'const ts = Array.from({ length: 3 }, () => new Thread({ target: "work" }));\nts.forEach((t) => t.start());\nawait Promise.all(ts.map((t) => t.joinAsync()));',
    header + 'const ts: Thread[] = [];\nts.push(new Thread({ target: "work" }));\nfor (const t of ts) t.join();',
    header + 'const w = new Worker("./w.js");\nawait once(w, "exit");',
    header + 'const w = new Worker("./w.js");\nawait w.terminate();',
    { name: 'a daemon thread', code: header + 'new Thread({ target: "work", daemon: true }).start();' },
    { name: 'handed to the caller', code: header + 'export function spawn() { const t = new Thread({ target: "work" }); t.start(); return t; }' },
    header + 'const w = new Worker("./w.js");\nw.on("exit", () => {});',
  ],
  invalid: [
    { code: header + 'const t = new Thread({ target: "work" });\nt.start();', errors: [{ messageId: 'neverJoined', line: 4 }] },
    { code: header + 'new Thread({ target: "work" }).start();', errors: [{ messageId: 'neverJoined', line: 4 }] },
    { code: header + 'const w = new Worker("./w.js");\nw.postMessage(1);', errors: [{ messageId: 'neverJoined', line: 4 }] },
    { code: header + 'export function f() {\n  const t = new Thread({ target: "work" });\n  t.start();\n}', errors: [{ messageId: 'neverJoined', line: 5 }] },
    { code: header + 'const ts = [1, 2].map(() => new Thread({ target: "work" }));\nfor (const t of ts) t.start();', errors: [{ messageId: 'neverJoined', line: 4 }] },
    { code: header + 'const ts: Thread[] = [];\nts.push(new Thread({ target: "work" }));\nts.forEach((t) => t.start());', errors: [{ messageId: 'neverJoined', line: 5 }] },
    { name: 'a subclass', code: header + 'export class Job extends Thread { override run() {} }\nconst j = new Job();\nj.start();', errors: [{ messageId: 'neverJoined', line: 5 }] },
    { code: header + 'export async function f() {\n  const t = new Thread({ target: "work" });\n  t.start();\n  await new Promise((r) => setTimeout(r, 10));\n}', errors: [{ messageId: 'neverJoined', line: 5 }] },
  ],
});
