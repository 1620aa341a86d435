/** `racecheck analyze`: static analysis with the same formats, suppressions and exit codes as `run`. */
import { analyzeProject, STATIC_RULES } from '../api/static.js';
import { InvalidArgumentError } from '../core/errors.js';
import { isRuleId, type RuleId } from '../core/rules.js';
import { emitReport, exitCodeFor, type OutputOptions } from './output.js';

export interface AnalyzeCommandOptions {
  cwd: string;
  paths: string[];
  tsconfig?: string;
  rules?: ReadonlySet<RuleId>;
  without: string[];
  output: OutputOptions;
  version: string;
}

/** A progress bar on a terminal, for people; nothing in CI or with machine-readable output. */
function progress(output: OutputOptions): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || process.env['CI'] || output.format !== 'stylish') return undefined;
  return (done, total) => {
    if (total < 20) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} files`);
    if (done === total) process.stderr.write('\r\x1b[K');
  };
}

export function analyzeCommand(options: AnalyzeCommandOptions): number {
  for (const id of options.without) {
    if (!isRuleId(id)) throw new InvalidArgumentError(`unknown rule '${id}'; the static rules are ${STATIC_RULES.join(', ')}`);
  }
  const enabled = new Set((options.rules ? [...options.rules] : STATIC_RULES).filter((id) => !options.without.includes(id)));
  const onProgress = progress(options.output);
  const { report, analyzed } = analyzeProject({
    cwd: options.cwd,
    paths: options.paths,
    ...(options.tsconfig ? { tsconfig: options.tsconfig } : {}),
    rules: enabled,
    ...(onProgress ? { onProgress } : {}),
  });
  emitReport(report, options.output, options.version);
  // Nothing could be analyzed (every file failed to parse, or there were none): the tool did not do its job.
  if (analyzed === 0) return 2;
  return exitCodeFor(report, options.output.maxWarnings);
}
