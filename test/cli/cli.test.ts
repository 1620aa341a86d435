import { existsSync, readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import * as ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { tempPath } from '../tracer/trace-helpers.js';
import { plainNode, program, racecheck } from './cli-helpers.js';

// Both packages are CommonJS with `exports.default`; under NodeNext the class and function sit on `.default`.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default.default;

const sarifSchema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;

describe('racecheck run', () => {
  it('reports a race in stylish form, passes stdin and stdout through, exits 1', async () => {
    const result = await racecheck(['run', program('race.mjs'), '--no-color'], { input: 'hello' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('echo: hello');
    expect(result.stdout).toContain('test/cli/programs/race.mjs');
    expect(result.stdout).toMatch(/ {2}6:\d+ {2}error {4}Data race on shared memory .* data-race/);
    expect(result.stdout).toMatch(/↳ test\/cli\/programs\/race\.mjs:6:\d+ {2}conflicting (read|write) by thread 'Thread-\d+ \(bump\)', holding no locks/);
    expect(result.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, 0 warnings\)/);
  });

  it('exits 0 on a correct program and says so', async () => {
    const result = await racecheck(['run', program('clean.mjs'), '--no-color']);
    expect(result.stdout).toBe('2\n✔ no races or deadlocks found\n');
    expect(result.code).toBe(0);
  });

  it('writes ESLint-shaped JSON', async () => {
    const result = await racecheck(['run', program('race.mjs'), '--format', 'json']);
    const results = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Record<string, unknown>[];
    expect(results).toHaveLength(1);
    const [file] = results;
    expect(file).toMatchObject({ errorCount: expect.any(Number), warningCount: 0, fatalErrorCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 });
    expect(String(file!['filePath'])).toMatch(/test\/cli\/programs\/race\.mjs$/);
    const [message] = file!['messages'] as Record<string, unknown>[];
    expect(message).toMatchObject({ ruleId: 'data-race', severity: 2, line: 6, endLine: 6 });
    expect(message!['racecheck']).toMatchObject({ count: expect.any(Number), fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), related: [expect.objectContaining({ access: expect.any(String) })] });
  });

  it('writes SARIF 2.1.0 that validates against the schema', async () => {
    const result = await racecheck(['run', program('race.mjs'), '--format', 'sarif']);
    const log = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { runs: { results: Record<string, unknown>[]; tool: { driver: { rules: { id: string }[] } } }[] };
    // The schema's language-tag pattern is not valid with the u flag; the SARIF TC's own validator reads it without.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const valid = ajv.validate(sarifSchema, log);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const [run] = log.runs;
    expect(run!.tool.driver.rules.map((r) => r.id)).toEqual(['data-race']);
    const [first] = run!.results;
    expect(first).toMatchObject({
      ruleId: 'data-race',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'test/cli/programs/race.mjs', uriBaseId: '%SRCROOT%' }, region: { startLine: 6 } } }],
      partialFingerprints: { 'racecheckFingerprint/v1': expect.any(String) },
    });
    expect((first!['codeFlows'] as { threadFlows: unknown[] }[])[0]!.threadFlows.length).toBe(2);
  });

  it('writes JUnit XML that parses, one testcase per rule and file', async () => {
    const result = await racecheck(['run', program('race.mjs'), '--format', 'junit']);
    const xml = result.stdout.slice(result.stdout.indexOf('<?xml'));
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: { testsuite: { testcase: Record<string, unknown> } } };
    expect(parsed.testsuites.testsuite.testcase).toMatchObject({ '@_classname': 'test/cli/programs/race.mjs', '@_name': 'data-race', failure: expect.anything() });
    const clean = await racecheck(['run', program('clean.mjs'), '--format', 'junit']);
    expect(XMLValidator.validate(clean.stdout.slice(clean.stdout.indexOf('<?xml')))).toBe(true);
  });

  it('writes several reports from one run, and the main one to --output with a summary on stderr', async () => {
    const [out, sarif, json] = [tempPath('out.txt'), tempPath('r.sarif'), tempPath('r.json')];
    const result = await racecheck(['run', program('race.mjs'), '-o', out, '--report', `sarif=${sarif}`, '--report', `json=${json}`]);
    expect(result.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('data-race');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
    expect(result.stderr).toMatch(/^racecheck: \d+ problems \(\d+ errors, 0 warnings\) written to /);
  });

  it("a program that exits non-zero fails the run and says so; --allow-program-failure only tells it", async () => {
    const failed = await racecheck(['run', program('race.mjs'), '--no-color', '--rule', 'deadlock', '--', '3']);
    expect(failed.stdout).toContain('The program exited with code 3: the run fails (--allow-program-failure if it is meant to).');
    expect(failed.code).toBe(1);
    const allowed = await racecheck(['run', program('race.mjs'), '--no-color', '--rule', 'deadlock', '--allow-program-failure', '--', '3']);
    expect(allowed.stdout).toContain('The program exited with code 3.\n');
    expect(allowed.code).toBe(0);
    // The former opt-in is still accepted.
    expect((await racecheck(['run', program('race.mjs'), '--rule', 'deadlock', '--program-exit', '--', '3'])).code).toBe(1);
  });

  it("a thread taking a Lock it holds waits for itself: ended as a deadlock after the grace, the misuse named", async () => {
    const result = await racecheck(['run', program('relock.mjs'), '--deadlock-grace', '1', '--no-color']);
    expect(result.stdout).toContain("Deadlock: thread 'transfer' waits for Lock created at test/cli/programs/relock.mjs:17:16, which it holds itself");
    expect(result.stdout).toContain('held by thread \'transfer\' since test/cli/programs/relock.mjs:11:8');
    expect(result.stdout).toContain('primitive-misuse');
    expect(result.stdout).toContain('racecheck ended the program: it was deadlocked.');
    expect(result.stdout).not.toContain('never printed');
    expect(result.code).toBe(1);
  });

  it('a daemon thread still writing when the program ends: the trace ends whole, the race is found, the thread named', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await racecheck(['run', program('daemon-outlives.mjs'), '--no-color']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('main done');
      expect(result.stdout).toContain('data-race');
      expect(result.stdout).toContain('Still running when the program ended (daemon threads), traced until then: spinner.');
      expect(result.code).toBe(1);
    }
  });

  it('a worker terminated mid-run ended: it is not named as still running', async () => {
    const result = await racecheck(['run', program('terminated.mjs'), '--no-color']);
    expect(result.stdout).toContain('terminated');
    expect(result.stdout).not.toContain('Still running');
    expect(result.code).toBe(0);
  });

  it('--timeout ends a program that never ends and keeps its findings', async () => {
    const result = await racecheck(['run', program('forever.mjs'), '--timeout', '2', '--no-color']);
    expect(result.stdout).toContain('running forever');
    expect(result.stdout).toContain('data-race');
    expect(result.stdout).toContain('racecheck ended the program: it ran past --timeout.');
    expect(result.code).toBe(1);
  });

  it('a TypeScript program that throws keeps its findings', async () => {
    const result = await racecheck(['run', program('throws.ts'), '--no-color']);
    expect(result.stderr).toContain('the program failed after racing');
    expect(result.stdout).toMatch(/ {2}6:\d+ +error/);
    expect(result.stdout).toContain('The program exited with code 1: the run fails');
    expect(result.code).toBe(1);
  });

  it('suppression comments silence findings, and unused ones are reported', async () => {
    const result = await racecheck(['run', program('suppressed.mjs'), '--no-color']);
    expect(result.stdout).not.toContain('data-race');
    expect(result.stdout).toContain("  10:1  warning  Unused racecheck-disable directive (no problems were reported from 'lock-order-inversion')  unused-suppression");
    expect(result.code).toBe(0);
    expect((await racecheck(['run', program('suppressed.mjs'), '--max-warnings', '0'])).code).toBe(1);
    expect((await racecheck(['run', program('suppressed.mjs'), '--quiet', '--no-color'])).stdout).toContain('✔ no races or deadlocks found');
  });
});

describe('racecheck report and trace dump', () => {
  it('analyzes a saved trace offline with the same findings', async () => {
    const trace = tempPath('saved.trace');
    const run = await racecheck(['run', program('race.mjs'), '--trace', trace, '--format', 'json']);
    const offline = await racecheck(['report', trace, '--format', 'json']);
    expect(offline.code).toBe(1);
    const strip = (text: string): unknown => JSON.parse(text.slice(text.indexOf('[')));
    expect(strip(offline.stdout)).toEqual(strip(run.stdout));
    const dump = await racecheck(['trace', 'dump', trace]);
    const lines = dump.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ meta: { program: expect.stringContaining('race.mjs') } });
    expect(lines.at(-1)).toMatchObject({ complete: true });
    expect(lines.some((line) => line['kind'] === 'MemoryWrite')).toBe(true);
  });
});

describe('deadlock reports', () => {
  it('tells a deadlock cycle from its lowest thread id, whichever thread got stuck first', async () => {
    for (let run = 0; run < 2; run++) {
      const { stdout } = await racecheck(['run', '--deadlock-grace', '1', 'test/instrument/programs/atomics-deadlock.mjs']);
      expect(stdout).toMatch(/threads 'atomics-deadlock\.mjs #(\d+)', 'atomics-deadlock\.mjs #(\d+)'/);
      const [, first, second] = /threads 'atomics-deadlock\.mjs #(\d+)', 'atomics-deadlock\.mjs #(\d+)'/.exec(stdout)!;
      expect(Number(first)).toBeLessThan(Number(second));
    }
  });
});

describe('the program process (started before the arguments are parsed, handed its run once they are)', () => {
  for (const name of ['main-module.cjs', 'main-module.mjs']) {
    it(`runs ${name} as the main module with its arguments, as node does`, async () => {
      const plain = await plainNode(program(name), ['a', '--b', 'c d']);
      const traced = await racecheck(['run', program(name), '--', 'a', '--b', 'c d']);
      expect(traced.stdout.startsWith(plain.stdout)).toBe(true);
      expect(plain.stdout).toMatch(/^main true/);
      expect(traced.code).toBe(0);
    });
  }

  it('runs a TypeScript program the same way', async () => {
    const traced = await racecheck(['run', program('main-module.ts'), '--', 'x']);
    expect(traced.stdout).toMatch(/^main true \["x"\]\n/);
  });

  it('is started the ordinary way when the early guess was wrong (here: an option value looking like TypeScript)', async () => {
    const trace = tempPath('looks-like.ts');
    const traced = await racecheck(['run', '--trace', trace, program('main-module.mjs'), '--', 'y']);
    expect(traced.stdout).toMatch(/^main true \["y"\]\n/);
    expect(existsSync(trace)).toBe(true);
  });

  it('prints nothing when no run comes (help, a bad entry): only the CLI speaks', async () => {
    const help = await racecheck(['run', '--help']);
    expect(help.stdout).toMatch(/^racecheck run <entry>/);
    const missing = await racecheck(['run', 'no-such-file.mjs']);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('racecheck: error RACECHECK_FILE_ACCESS: entry not found: no-such-file.mjs\n');
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing entry', ['run', 'no-such-file.ts'], /^racecheck: error RACECHECK_FILE_ACCESS: entry not found: no-such-file\.ts\n$/],
    ['an entry with a syntax error', ['run', program('syntax-error.ts')], /^racecheck: error RACECHECK_ENTRY_SYNTAX: syntax error in test\/cli\/programs\/syntax-error\.ts:1:19: Unexpected ";"\n$/],
    ['an unknown format', ['run', program('clean.mjs'), '--format', 'xml'], /^racecheck: error RACECHECK_USAGE: Invalid values: Argument: format, Given: "xml", Choices: "stylish", "json", "sarif", "junit"\n$/],
    ['an unknown --async value', ['run', '--async', 'maybe', program('clean.mjs')], /^racecheck: error RACECHECK_USAGE: Invalid values: Argument: async, Given: "maybe", Choices: "on", "off"\n$/],
    ['an unknown option', ['run', program('clean.mjs'), '--frobnicate'], /^racecheck: error RACECHECK_USAGE: Unknown arguments?: frobnicate\n$/],
    ['an unreadable trace', ['report', 'missing.trace'], /^racecheck: error RACECHECK_FILE_ACCESS: cannot read the trace file missing\.trace: ENOENT/],
    ['a trace that is not one', ['report', 'package.json'], /^racecheck: error RACECHECK_TRACE_FORMAT: package\.json: not a racecheck trace: wrong magic bytes \(at byte offset 0\)\n$/],
    ['a bad --report', ['run', program('clean.mjs'), '--report', 'sarif'], /^racecheck: error RACECHECK_INVALID_ARGUMENT: --report takes <format>=<file>/],
    ['an unknown rule', ['run', program('clean.mjs'), '--rule', 'bogus'], /^racecheck: error RACECHECK_USAGE: unknown rule 'bogus'/],
    ['a trace path that cannot be written', ['run', program('clean.mjs'), '--trace', '/no/such/dir/x.trace'], /^racecheck: error RACECHECK_FILE_ACCESS: cannot write the trace file \/no\/such\/dir\/x\.trace/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const output = tempPath('never.txt');
      const result = await racecheck([...args, '-o', output]);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(existsSync(output)).toBe(false);
    });
  }
});

describe('help', () => {
  it('--help lists the commands, <cmd> --help shows examples, --version prints the version', async () => {
    const help = await racecheck(['--help']);
    expect(help.stdout).toMatch(/racecheck run <entry> \[args\.\.\]/);
    expect(help.stdout).toMatch(/racecheck report <trace>/);
    const runHelp = await racecheck(['run', '--help']);
    expect(runHelp.stdout).toContain('Examples:');
    expect(runHelp.stdout).toContain('--deadlock-grace');
    const version = await racecheck(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
