/** Every rule racecheck can report today has a documentation page with examples, and every static rule a module and tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULES, ruleDocsPath } from '../../src/core/rules.js';
import { STATIC_RULES } from '../../src/static/rules/index.js';

const staticIds = new Set<string>(STATIC_RULES.map((rule) => rule.name));
/** Rules racecheck can report today: runtime and tool rules, and the static rules that exist. */
const reportable = RULE_IDS.filter((id) => RULES.get(id)!.kinds.some((kind) => kind === 'runtime' || kind === 'tool') || staticIds.has(id) || id === 'parse-error');

describe('rule documentation', () => {
  for (const id of reportable) {
    it(`${id} has ${ruleDocsPath(id)} with examples`, () => {
      const path = new URL(`../../${ruleDocsPath(id)}`, import.meta.url);
      expect(existsSync(path)).toBe(true);
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith(`# ${id}\n`)).toBe(true);
      expect(text).toContain('```ts');
    });
  }

  it('every static rule has a module named after it and a RuleTester suite', () => {
    const modules = readdirSync(new URL('../../src/static/rules/', import.meta.url)).filter((f) => f !== 'index.ts');
    const tests = readdirSync(new URL('../static/', import.meta.url));
    for (const rule of STATIC_RULES) {
      expect(modules).toContain(`${rule.name}.ts`);
      expect(tests).toContain(`${rule.name}.test.ts`);
    }
  });
});
