/**
 * racecheck/vitest: `plugins: [racecheck()]` in vitest.config.ts traces every test file and fails the test
 * in which a race or deadlock finding appeared, with the finding in stylish form — the way `go test -race`
 * fails a test. Findings outside any test (module load, hooks) fail the file.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRuleId, RULE_IDS, type RuleId } from '../core/rules.js';
import { RUN_ENVIRONMENT } from '../core/run-protocol.js';

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
  /** Also write every finding of the run to `file`, as SARIF or ESLint-shaped JSON. */
  report?: { format: 'sarif' | 'json'; file: string };
}

/** What the test workers are told (the options, plus where their findings go for the report). */
export interface WorkerOptions extends RacecheckVitestOptions {
  partsDir?: string;
}

/** Where the options travel to the test workers. */
export const OPTIONS_ENV = RUN_ENVIRONMENT.vitestOptions;

interface PluginLike {
  name: string;
  config(): {
    test: {
      setupFiles: string[];
      globalSetup?: string[];
      env: Record<string, string>;
      testTimeout?: number;
      server: { deps: { external: RegExp[] } };
    };
  };
}

/** Where racecheck's modules live (dist/ when installed, src/ when developing racecheck itself). */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function racecheck(options: RacecheckVitestOptions = {}): PluginLike {
  for (const rule of options.rules ?? []) {
    if (!isRuleId(rule)) throw new Error(`racecheck/vitest: unknown rule '${rule}'; the rules are ${RULE_IDS.join(', ')}`);
  }
  if (options.report && !['sarif', 'json'].includes(options.report.format)) {
    throw new Error(`racecheck/vitest: report.format must be 'sarif' or 'json', got '${String(options.report.format)}'`);
  }
  const sibling = (name: string): string => fileURLToPath(new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const report = options.report ? { ...options.report, file: resolve(options.report.file) } : undefined;
  const workerOptions: WorkerOptions = { ...options, ...(report ? { report, partsDir: `${report.file}.parts-${process.pid}` } : {}) };
  return {
    name: 'racecheck',
    config() {
      // The global setup runs in this (main) process, where test.env does not reach.
      process.env[OPTIONS_ENV] = JSON.stringify(workerOptions);
      return {
        test: {
          setupFiles: [sibling('setup')],
          // The report is put together in the main process, after every test file has run.
          ...(report ? { globalSetup: [sibling('global-setup')] } : {}),
          env: { [OPTIONS_ENV]: JSON.stringify(workerOptions) },
          // racecheck's own modules are plain ESM: load them natively, not through Vite's transform, which
          // costs every test file (and they would not be instrumented twice anyway).
          server: { deps: { external: [new RegExp(`^${escapeRegExp(packageRoot)}`)] } },
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
