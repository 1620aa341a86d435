/**
 * Every subject program through the built CLI, as a user would run it: its findings must equal its
 * folder's expected.json (each expected finding at its line, no other race or deadlock finding), and with
 * --program-exit a clean program must also have computed the right result (fixed programs exit 1 if not).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { racecheck } from '../cli/cli-helpers.js';

interface Expected {
  ruleId: string;
  line: number;
  file?: string;
  optional?: boolean;
}

const fixtures = new URL('../../fixtures/', import.meta.url);

/** Smaller images than the default (which is sized to take a second serially). */
const programArgs: Record<string, string[]> = {
  'raytracer-buggy.ts': ['--width', '96', '--height', '64'],
  'raytracer-fixed.ts': ['--width', '96', '--height', '64'],
};

const subjects = readdirSync(fixtures, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('subjects', () => {
  it('every runnable program of every subject has an entry in expected.json', () => {
    for (const subject of subjects) {
      const expected = JSON.parse(readFileSync(new URL(`${subject}/expected.json`, fixtures), 'utf8')) as Record<string, unknown>;
      const programs = readdirSync(new URL(`${subject}/`, fixtures)).filter((name) => /\.(ts|mts|js|mjs)$/.test(name) && name !== 'scene.ts' && name !== 'server.ts');
      expect(Object.keys(expected).sort(), subject).toEqual(programs.sort());
    }
  });

  for (const subject of subjects) {
    const expected = JSON.parse(readFileSync(new URL(`${subject}/expected.json`, fixtures), 'utf8')) as Record<string, Expected[]>;
    describe.concurrent(subject, () => {
      for (const [program, findings] of Object.entries(expected)) {
        it(program, async () => {
          const result = await racecheck(['run', `fixtures/${subject}/${program}`, '--format', 'json', '--program-exit', '--', ...(programArgs[program] ?? [])]);
          expect(result.code, result.stderr).not.toBe(2);
          const json = result.stdout.slice(result.stdout.lastIndexOf('\n[') + 1);
          const results = JSON.parse(json) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
          const got = new Set(
            results.flatMap((r) => r.messages.filter((m) => m.ruleId !== 'thread-leak').map((m) => `${m.ruleId}@${r.filePath.split('/').pop()}:${m.line}`)),
          );
          const key = (f: Expected): string => `${f.ruleId}@${f.file ?? program}:${f.line}`;
          const required = findings.filter((f) => !f.optional).map(key);
          const allowed = new Set(findings.map(key));
          for (const finding of required) expect(got, `missing ${finding}\n${result.stdout}`).toContain(finding);
          for (const finding of got) expect(allowed, `unexpected ${finding}\n${result.stdout}`).toContain(finding);
          if (findings.length === 0) expect(result.code, `a clean program must also compute the right result\n${result.stdout}\n${result.stderr}`).toBe(0);
        });
      }
    });
  }
});
