/**
 * Names a program chooses — its file names, its threads' names — reach every report: a hostile or merely
 * odd name must not reach the terminal as escape sequences, break the XML, or make SARIF invalid.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import * as ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { racecheck } from '../cli/cli-helpers.js';

const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default.default;
const sarifSchema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;

const THREAD_NAME = 'evil\u001b[2J\u001b]0;owned\u0007 "quoted" <script>]]>\u0000\nnext line\u202e';
const FILE_NAME = "my app <script>]]> 'it's'.mjs";
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'racecheck-names-'));
  // A race between the main thread and a worker with a hostile name, in a file with an odd one; a second
  // race in an eval worker (Node's name for its code: [worker eval]).
  writeFileSync(
    join(dir, FILE_NAME),
    `import { Worker } from 'node:worker_threads';
const shared = new Int32Array(new SharedArrayBuffer(8));
const worker = new Worker(new URL('./body.mjs', import.meta.url), { name: ${JSON.stringify(THREAD_NAME)}, workerData: shared });
new Worker('require("node:worker_threads").workerData[1] = 1;', { eval: true, workerData: shared });
shared[0] = 2;
shared[1] = 2;
worker.on('error', () => {});
`,
  );
  writeFileSync(join(dir, 'body.mjs'), `import { workerData } from 'node:worker_threads';\nworkerData[0] = 1;\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (format: string): ReturnType<typeof racecheck> => racecheck(['run', FILE_NAME, '--format', format, '--no-color'], { cwd: dir });

describe('odd and hostile names in every format', () => {
  it('stylish: no control character reaches the terminal; each is shown as an escape', async () => {
    const result = await run('stylish');
    expect(result.stdout).toContain('data-race');
    expect(result.stdout).toContain(FILE_NAME);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(result.stdout).toContain('evil\\x1b[2J\\x1b]0;owned\\x07 "quoted" <script>]]>\\x00\\nnext line\\u202e');
  });

  it('JUnit: well-formed XML 1.0 that parses back to the names', async () => {
    const result = await run('junit');
    const xml = result.stdout.slice(result.stdout.indexOf('<?xml'));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: { testsuite: { testcase: Record<string, unknown> | Record<string, unknown>[] } } };
    const cases = [parsed.testsuites.testsuite.testcase].flat();
    expect(cases.map((c) => c['@_classname'])).toContain(FILE_NAME);
    const text = JSON.stringify(cases);
    expect(text).toContain('<script>]]>');
    // Characters XML 1.0 does not allow are written as visible escapes.
    expect(xml).toContain('evil\\u001b[2J');
    expect(text).toContain('\\\\u0000');
  });

  it('SARIF: valid against the schema, file names percent-encoded, the eval worker given a location', async () => {
    const result = await run('sarif');
    const log = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { runs: { results: { locations?: { physicalLocation: { artifactLocation: { uri: string } } }[]; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    ajv.validate(sarifSchema, log);
    expect(ajv.errors ?? []).toEqual([]);
    const uris = log.runs[0]!.results.flatMap((r) => [...(r.locations ?? []), ...(r.relatedLocations ?? [])].map((l) => l.physicalLocation.artifactLocation.uri));
    expect(uris).toContain(encodeURIComponent(FILE_NAME));
    expect(uris).toContain('%5Bworker%20eval%5D');
    for (const uri of uris) expect(() => new URL(uri, 'file:///root/')).not.toThrow();
  });

  it('JSON: parses, and keeps the names exactly', async () => {
    const result = await run('json');
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('[{'))) as { filePath: string; messages: { message: string }[] }[];
    expect(report.map((file) => file.filePath)).toContain(join(dir, FILE_NAME));
    expect(JSON.stringify(report)).toContain(JSON.stringify(THREAD_NAME).slice(1, -1));
  });
});
