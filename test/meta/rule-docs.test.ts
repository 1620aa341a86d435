/** Every rule racecheck can report today has a documentation page with a bad and a good example. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULES, ruleDocsPath } from '../../src/core/rules.js';

const reportable = RULE_IDS.filter((id) => RULES.get(id)!.kinds.some((kind) => kind === 'runtime' || kind === 'tool'));

describe('rule documentation', () => {
  for (const id of reportable.filter((id) => id !== 'async-race')) {
    it(`${id} has ${ruleDocsPath(id)} with examples`, () => {
      const path = new URL(`../../${ruleDocsPath(id)}`, import.meta.url);
      expect(existsSync(path)).toBe(true);
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith(`# ${id}\n`)).toBe(true);
      expect(text).toContain('```ts');
    });
  }
});
