/**
 * racecheck/vitest: `plugins: [racecheck()]` in vitest.config.ts traces every test file and fails the test
 * in which a race or deadlock finding appeared, with the finding in stylish form — the way `go test -race`
 * fails a test. Findings outside any test (module load, hooks) fail the file.
 */
import { fileURLToPath } from 'node:url';
import { isRuleId, RULE_IDS, type RuleId } from '../core/rules.js';

export interface RacecheckVitestOptions {
  /** Only these rules (default: every runtime rule). */
  rules?: RuleId[];
  /** The lowest severity that fails a test (default 'error'). */
  failOn?: 'error' | 'warning';
  /**
   * ms after which a test fails (vitest's testTimeout): a deadlocked test fails then instead of hanging
   * the run. Default: vitest's own.
   */
  timeout?: number;
}

/** Where the options travel to the test workers. */
export const OPTIONS_ENV = 'RACECHECK_VITEST_OPTIONS';

interface PluginLike {
  name: string;
  config(): { test: { setupFiles: string[]; env: Record<string, string>; testTimeout?: number } };
}

export function racecheck(options: RacecheckVitestOptions = {}): PluginLike {
  for (const rule of options.rules ?? []) {
    if (!isRuleId(rule)) throw new Error(`racecheck/vitest: unknown rule '${rule}'; the rules are ${RULE_IDS.join(', ')}`);
  }
  const setup = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './setup.ts' : './setup.js', import.meta.url));
  return {
    name: 'racecheck',
    config() {
      return {
        test: {
          setupFiles: [setup],
          env: { [OPTIONS_ENV]: JSON.stringify(options) },
          ...(options.timeout !== undefined ? { testTimeout: options.timeout } : {}),
        },
      };
    },
  };
}

export default racecheck;

export interface MatcherOptions {
  /** The rule the finding must have (default: any). */
  rule?: RuleId;
}

declare module 'vitest' {
  // The type parameter must match vitest's own declaration of Matchers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface Matchers<T = any> {
    /** Running the function produced no race or deadlock finding. */
    toBeRaceFree(): Promise<void>;
    /** Running the function produced a finding (of `rule`, when given). */
    toHaveRace(options?: MatcherOptions): Promise<void>;
  }
}
