/**
 * A run that did not go well is never a silent pass: a program that failed fails the run and every format
 * says so, a process in which racecheck could not start the program is a tool error, and racecheck itself
 * ends on SIGINT/SIGTERM with what was traced.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import * as ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { unsupportedNode } from '../../src/core/node-support.js';
import { bin, program, racecheck, root, type CliResult } from './cli-helpers.js';

const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default.default;
const sarifSchema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;

interface Signalled extends CliResult {
  /** From the signal to racecheck's exit, in ms. */
  took: number;
}

/** Runs racecheck, sends it `signal` once the program has printed `ready`, and waits for it to end. */
function signalledRun(args: string[], ready: string, signal: NodeJS.Signals): Promise<Signalled> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sentAt && stdout.includes(ready)) {
        sentAt = Date.now();
        child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, took: Date.now() - sentAt }));
  });
}

describe('racecheck run ends on a signal, with what was traced', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: the program is ended (killed when it cannot listen), the race is reported, exit %i', async (signal, exitCode) => {
    // --deadlock-grace 60: the blocked main thread must be ended by the signal, not by the watchdog.
    const result = await signalledRun(['run', program('blocked.mjs'), '--deadlock-grace', '60', '--no-color'], 'blocked', signal);
    expect(result.stdout).toMatch(/ {2}7:1 {2}error {4}Data race on shared memory .* data-race/);
    expect(result.stdout).toContain('The program was ended by SIGKILL');
    expect(result.code).toBe(exitCode);
    // The 2 s grace and the analysis; far below the 60 s the watchdog would have waited.
    expect(result.took).toBeLessThan(15_000);
  });
});

describe('the program failed: the run fails, and every format says so', () => {
  const failing = (...options: string[]): string[] => ['run', program('race.mjs'), '--rule', 'deadlock', ...options, '--', '3'];

  it('ESLint JSON: a fatal message without a rule, on the program', async () => {
    const result = await racecheck(failing('--format', 'json'));
    const results = JSON.parse(result.stdout.slice(result.stdout.indexOf('[{'))) as { filePath: string; errorCount: number; fatalErrorCount: number; messages: unknown[] }[];
    expect(results).toHaveLength(1);
    expect(results[0]!.filePath).toMatch(/test\/cli\/programs\/race\.mjs$/);
    expect(results[0]).toMatchObject({ errorCount: 1, fatalErrorCount: 1 });
    expect(results[0]!.messages).toEqual([{ ruleId: null, fatal: true, severity: 2, message: 'The program exited with code 3.', line: 0, column: 0, endLine: 0, endColumn: 0 }]);
    expect(result.code).toBe(1);
    const allowed = await racecheck(failing('--allow-program-failure', '--format', 'json'));
    expect(JSON.parse(allowed.stdout.slice(allowed.stdout.indexOf('[{')))[0]).toMatchObject({ errorCount: 0, warningCount: 1, fatalErrorCount: 0 });
    expect(allowed.code).toBe(0);
  });

  it('SARIF: a tool notification, valid against the schema', async () => {
    const result = await racecheck(failing('--format', 'sarif'));
    const log = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { runs: { invocations: Record<string, unknown>[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    ajv.validate(sarifSchema, log);
    expect(ajv.errors ?? []).toEqual([]);
    expect(log.runs[0]!.invocations[0]).toMatchObject({
      exitCode: 3,
      toolExecutionNotifications: [{ level: 'error', message: { text: 'The program exited with code 3.' } }],
    });
    expect(result.code).toBe(1);
  });

  it('JUnit: a testcase in error', async () => {
    const result = await racecheck(failing('--format', 'junit'));
    const xml = result.stdout.slice(result.stdout.indexOf('<?xml'));
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: Record<string, unknown> & { testsuite: { testcase: Record<string, unknown> } } };
    expect(parsed.testsuites['@_errors']).toBe('1');
    expect(parsed.testsuites.testsuite.testcase).toMatchObject({ '@_classname': 'test/cli/programs/race.mjs', '@_name': 'program', error: { '@_message': 'The program exited with code 3.' } });
  });

  it('a TypeScript program whose worker file does not parse fails the run', async () => {
    const result = await racecheck(['run', program('bad-worker.ts'), '--no-color']);
    expect(result.stderr).toMatch(/bad-worker-body\.ts/);
    expect(result.stdout).toMatch(/The program exited with code \d+: the run fails/);
    expect(result.code).toBe(1);
  });
});

describe('racecheck could not start the program: a tool error, never a clean report', () => {
  it("racecheck's preload cannot load in the program's process (an installation missing a file)", async () => {
    const installed = mkdtempSync(join(tmpdir(), 'racecheck-broken-'));
    cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(installed, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(installed, 'node_modules'));
    rmSync(join(installed, 'dist/session/preload.js'));
    const result = await racecheck(['run', program('clean.mjs')], { bin: join(installed, 'dist/cli/bin.js') });
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^racecheck: error RACECHECK_PROGRAM_START: the program's process exited with code 1 before racecheck could start test\/cli\/programs\/clean\.mjs in it \(see the error above\)$/m);
    expect(result.code).toBe(2);
  });
});

describe('supported Node.js versions', () => {
  it.each([
    ['v20.19.0', false],
    ['v20.20.2', false],
    ['v22.15.0', true],
    ['v22.23.5', true],
    ['v24.0.0', true],
    ['v26.12.1', true],
  ] as const)('%s runs', (version, inThreadHooks) => {
    expect(unsupportedNode(version, inThreadHooks)).toBeUndefined();
  });

  it.each([
    ['v18.20.4', false],
    ['v20.18.3', false],
    ['v21.7.3', false],
    ['v22.14.0', false],
  ] as const)('%s is refused with the supported versions named', (version, inThreadHooks) => {
    expect(unsupportedNode(version, inThreadHooks)).toBe(`Node.js ${version} is not supported; racecheck runs on Node.js 20.19+, 22.15+, 24 or 26`);
  });
});
