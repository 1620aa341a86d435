/**
 * A racy program in every module system a project can have — ES modules and CommonJS, chosen by
 * package.json's "type" (module, commonjs, none) or by the extension (.mts/.cts/.mjs/.cjs), TypeScript and
 * JavaScript, .tsx — as a user would write it: main, a worker file and a helper module, with the race in
 * the helper. Each must run to completion and report the race at the helper's own line, whatever Node
 * this suite runs on. (No top-level await: tsx itself cannot compile it where a .ts file is CommonJS.)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { racecheck } from './cli-helpers.js';

type Syntax = 'esm' | 'cjs';

interface Case {
  type: 'module' | 'commonjs' | undefined;
  extension: 'ts' | 'mts' | 'cts' | 'tsx' | 'js' | 'mjs' | 'cjs';
  syntax: Syntax;
}

const typed = (extension: Case['extension']): boolean => /ts|tsx/.test(extension);

/** What a module imports its sibling as: TypeScript's own convention, the JavaScript extension. */
function importName(name: string, extension: Case['extension']): string {
  const spelled = { ts: 'js', tsx: 'js', mts: 'mjs', cts: 'cjs', js: 'js', mjs: 'mjs', cjs: 'cjs' }[extension];
  return `./${name}.${spelled}`;
}

function files({ extension, syntax }: Case): Record<string, string> {
  const t = typed(extension);
  const annotate = (type: string): string => (t ? `: ${type}` : '');
  const helper =
    syntax === 'esm'
      ? `export function bump(counter${annotate('Int32Array')})${annotate('void')} {\n  counter[0] = counter[0] + 1;\n}\n`
      : `function bump(counter${annotate('Int32Array')})${annotate('void')} {\n  counter[0] = counter[0] + 1;\n}\nexports.bump = bump;\n`;
  const worker =
    syntax === 'esm'
      ? `import { workerData } from 'node:worker_threads';\nimport { bump } from '${importName('helper', extension)}';\nconst counter${annotate('Int32Array')} = workerData;\nfor (let i = 0; i < 300; i++) bump(counter);\n`
      : `const { workerData } = require('node:worker_threads');\nconst { bump } = require('${importName('helper', extension)}');\nconst counter${annotate('Int32Array')} = workerData;\nfor (let i = 0; i < 300; i++) bump(counter);\n`;
  const main =
    syntax === 'esm'
      ? `import { Worker } from 'node:worker_threads';\nconst counter = new Int32Array(new SharedArrayBuffer(4));\nconst workers = [0, 1].map(() => new Worker(new URL('./worker.${extension}', import.meta.url), { workerData: counter }));\nvoid Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done)))).then(() => {\n  const total${annotate('number')} = counter[0];\n  console.log('finished', total > 0);\n});\n`
      : `const { Worker } = require('node:worker_threads');\nconst { join } = require('node:path');\nconst counter = new Int32Array(new SharedArrayBuffer(4));\nconst workers = [0, 1].map(() => new Worker(join(__dirname, 'worker.${extension}'), { workerData: counter }));\nlet left${annotate('number')} = workers.length;\nfor (const w of workers) w.on('exit', () => { if (--left === 0) console.log('finished', counter[0] > 0); });\n`;
  return { [`main.${extension}`]: main, [`worker.${extension}`]: worker, [`helper.${extension}`]: helper };
}

const cases: Case[] = [
  { type: 'module', extension: 'ts', syntax: 'esm' },
  { type: 'module', extension: 'mts', syntax: 'esm' },
  { type: 'module', extension: 'cts', syntax: 'cjs' },
  { type: 'module', extension: 'tsx', syntax: 'esm' },
  { type: 'module', extension: 'js', syntax: 'esm' },
  { type: 'module', extension: 'cjs', syntax: 'cjs' },
  { type: 'commonjs', extension: 'ts', syntax: 'cjs' },
  { type: 'commonjs', extension: 'mts', syntax: 'esm' },
  { type: 'commonjs', extension: 'cts', syntax: 'cjs' },
  { type: 'commonjs', extension: 'js', syntax: 'cjs' },
  { type: 'commonjs', extension: 'mjs', syntax: 'esm' },
  { type: undefined, extension: 'ts', syntax: 'cjs' },
  { type: undefined, extension: 'ts', syntax: 'esm' },
  { type: undefined, extension: 'js', syntax: 'cjs' },
];

interface EslintFile {
  filePath: string;
  messages: { ruleId: string | null; line: number }[];
}

describe('racecheck run in every module system', () => {
  it.each(cases)('"type": $type, .$extension written as $syntax', async (project) => {
    const dir = mkdtempSync(join(tmpdir(), 'racecheck-modules-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'subject', version: '1.0.0', ...(project.type ? { type: project.type } : {}) }));
    for (const [name, text] of Object.entries(files(project))) writeFileSync(join(dir, name), text);
    const result = await racecheck(['run', `main.${project.extension}`, '--format', 'json', '--no-cache'], { cwd: dir });
    expect(result.stderr).toBe('');
    const start = result.stdout.indexOf('[{');
    expect(result.stdout.slice(0, start)).toBe('finished true\n');
    const report = JSON.parse(result.stdout.slice(start)) as EslintFile[];
    const races = report.flatMap((file) => file.messages.filter((m) => m.ruleId === 'data-race').map((m) => `${file.filePath.slice(dir.length + 1)}:${m.line}`));
    expect(new Set(races)).toEqual(new Set([`helper.${project.extension}:2`]));
    expect(report.flatMap((file) => file.messages.map((m) => m.ruleId)).filter((rule) => rule !== 'data-race')).toEqual([]);
    expect(result.code).toBe(1);
  });
});
