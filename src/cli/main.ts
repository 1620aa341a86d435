/**
 * The racecheck command line. `main(argv)` returns the exit code and never calls `process.exit`, so it can
 * be tested in-process and embedded; only bin.ts touches the process.
 */
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import yargs, { type Argv } from 'yargs';
import { errorLine, UsageError } from '../core/errors.js';
import { formatLocation, programFailure, type Report } from '../core/findings.js';
import { isRuleId, RULE_IDS, RULES, type RuleId } from '../core/rules.js';
import { FORMAT_NAMES, FORMATTERS, type FormatName } from '../api/report.js';
import { emitReport, exitCodeFor, parseReports, type OutputOptions } from './output.js';
import type { PrestartedProgram } from '../api/prestart.js';
import { loadAnalysis, removeTrace, runTraced } from '../api/run.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes, as ESLint's: 0 clean, 1 findings, 2 the tool could not do its job. */
export const ExitCode = { Clean: 0, Findings: 1, ToolError: 2 } as const;

const RUNTIME_RULES = RULE_IDS.filter((id) => !RULES.get(id)!.kinds.includes('static') || RULES.get(id)!.kinds.includes('runtime'));

/** The output options, declared once for every command that reports. */
function outputOptions<T>(cli: Argv<T>) {
  return cli
    .option('format', {
      alias: 'f',
      choices: FORMAT_NAMES,
      default: 'stylish' as FormatName,
      describe: `report format: ${FORMAT_NAMES.map((name) => `${name} (${FORMATTERS[name].description})`).join('; ')}`,
    })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to a file (whole, or not at all); a summary goes to stderr' })
    .option('report', { type: 'string', array: true, default: [] as string[], describe: 'also write <format>=<file>; repeatable' })
    .option('max-warnings', { type: 'number', default: -1, describe: 'exit 1 when there are more warnings than this (-1: no limit)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'report errors only' })
    .option('color', { type: 'boolean', default: Boolean(process.stdout.isTTY), describe: 'color the stylish output' })
    .option('rule', { type: 'string', array: true, describe: `report only these rules (${RUNTIME_RULES.join(', ')})` })
    .option('stats', { type: 'boolean', default: false, describe: 'print per-lock statistics: acquisitions, contention, waits, longest hold' });
}

interface OutputArgs {
  format: FormatName;
  output?: string;
  report: string[];
  maxWarnings: number;
  quiet: boolean;
  color: boolean;
  rule?: string[];
  stats: boolean;
}

function toOutput(args: OutputArgs): OutputOptions {
  return {
    format: args.format,
    ...(args.output ? { output: args.output } : {}),
    report: parseReports(args.report),
    color: args.color,
    quiet: args.quiet,
    maxWarnings: args.maxWarnings,
  };
}

function rulesOf(args: OutputArgs): ReadonlySet<RuleId> | undefined {
  if (!args.rule) return undefined;
  for (const rule of args.rule) if (!isRuleId(rule)) throw new UsageError(`unknown rule '${rule}'; the rules are ${RULE_IDS.join(', ')}`);
  return new Set(args.rule as RuleId[]);
}

function printStats(report: Report): void {
  const stats = report.stats ?? [];
  if (stats.length === 0) return;
  const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  process.stdout.write('\nLock statistics\n');
  for (const s of [...stats].sort((a, b) => b.waitTotal - a.waitTotal)) {
    process.stdout.write(
      `  ${s.lock.name}: ${s.acquisitions} acquisitions, ${s.contended} contended, waited ${ms(s.waitTotal)} (longest ${ms(s.waitLongest)}), longest hold ${ms(s.holdLongest)}${s.holdLongestAt ? ` at ${formatLocation(s.holdLongestAt, report.cwd)}` : ''}\n`,
    );
  }
}

/**
 * Takes `--no-rule <id>` out of the arguments: yargs would read it as the negation of `--rule`, and the
 * name is the one ESLint users expect.
 */
function extractNoRule(argv: string[]): { argv: string[]; without: string[] } {
  const rest: string[] = [];
  const without: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--no-rule' && i + 1 < argv.length) without.push(argv[++i]!);
    else if (arg.startsWith('--no-rule=')) without.push(arg.slice('--no-rule='.length));
    else rest.push(arg);
  }
  return { argv: rest, without };
}

export interface MainOptions {
  /** The program's process, started before the arguments were parsed (bin.ts); used if it fits the run. */
  prestarted?: PrestartedProgram;
}

export async function main(rawArgv: string[], options: MainOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.Clean;
  const cwd = process.cwd();
  const { argv, without } = extractNoRule(rawArgv);
  try {
    await yargs(argv)
      .scriptName('racecheck')
      .usage('$0 <command> [options]\n\nFinds data races and deadlocks in Node.js programs that use worker threads.')
      .parserConfiguration({ 'populate--': true })
      .command(
        'run <entry> [args..]',
        'run a program (.ts, .mts, .js, .mjs) with tracing on and report races and deadlocks',
        (y) =>
          outputOptions(y)
            .positional('entry', { type: 'string', demandOption: true, describe: 'the program to run' })
            .positional('args', { type: 'string', array: true, describe: "the program's own arguments (after --)" })
            .option('trace', { type: 'string', describe: 'keep the binary trace in this file (racecheck report can read it again)' })
            .option('timeout', { type: 'number', describe: 'end the program after this many seconds, keeping the findings' })
            .option('deadlock-grace', { type: 'number', default: 2, describe: 'seconds a deadlock must last before racecheck ends the program' })
            .option('instrument', {
              type: 'boolean',
              default: true,
              describe: "rewrite the program's modules as they load to trace SharedArrayBuffer accesses, Atomics, postMessage and Workers (--no-instrument: racecheck primitives only)",
            })
            .option('instrument-deps', { type: 'boolean', default: false, describe: 'also instrument modules under node_modules' })
            .option('cache', {
              type: 'boolean',
              default: true,
              describe: 'keep instrumented modules on disk, so that worker threads and later runs do not rewrite them again (--no-cache: rewrite every time)',
            })
            .option('cache-dir', {
              type: 'string',
              requiresArg: true,
              describe: 'where instrumented modules are kept: a directory of your own, made by racecheck (default: $XDG_CACHE_HOME/racecheck/instrumented or ~/.cache/racecheck/instrumented)',
            })
            .option('async', {
              choices: ['on', 'off'] as const,
              default: 'on',
              describe: 'follow async tasks on the event loop for async-race and async lock deadlocks (off: threads only, less overhead)',
            })
            .option('allow-program-failure', {
              type: 'boolean',
              default: false,
              describe: 'a program that exits non-zero or is killed does not fail the run by itself (for programs that exit non-zero by design)',
            })
            // The old opt-in to what is now the default.
            .option('program-exit', { type: 'boolean', default: false, hidden: true })
            .example('$0 run app.ts', 'run app.ts traced and print races and deadlocks')
            .example('$0 run app.ts --format sarif -o racecheck.sarif -- --port 8080', 'SARIF for code scanning; app.ts gets --port 8080')
            .example('$0 run worker-pool.mjs --timeout 30 --trace run.trace', 'end after 30 s and keep the trace'),
        async (args) => {
          const output = toOutput(args as unknown as OutputArgs);
          const rules = rulesOf(args as unknown as OutputArgs);
          const programArgs = [...((args['args'] as string[] | undefined) ?? []), ...((args['--'] as string[] | undefined) ?? [])].map(String);
          const traced = runTraced(
            {
              entry: String(args.entry),
              args: programArgs,
              ...(args.trace ? { trace: args.trace } : {}),
              ...(args.timeout !== undefined ? { timeoutSeconds: args.timeout } : {}),
              deadlockGraceSeconds: args['deadlock-grace'] as number,
              instrument: args.instrument === false ? 'off' : args['instrument-deps'] ? 'deps' : 'own',
              async: args.async as 'on' | 'off',
              cacheDir: args.cache === false ? null : ((args['cache-dir'] as string | undefined) ?? undefined),
              cwd,
            },
            options.prestarted,
          );
          // The analysis loads while the program runs.
          const analysis = loadAnalysis();
          analysis.catch(() => undefined);
          const { tracePath, run, failures, interrupted } = await traced;
          try {
            const { analyzeTraceFile } = await analysis;
            const report = analyzeTraceFile(tracePath, { cwd, run: { ...run, failureAllowed: args['allow-program-failure'] === true }, ...(rules ? { rules } : {}) });
            emitReport(report, output, version, run.program);
            if (args.stats && !output.output && output.format === 'stylish') printStats(report);
            exitCode = exitCodeFor(report, output.maxWarnings);
            if (programFailure(report.run)?.fails) exitCode = ExitCode.Findings;
            // What was traced is reported first; then racecheck's own failure decides the exit code.
            for (const failure of failures) process.stderr.write(`racecheck: error ${failure.code}: ${failure.message}\n`);
            if (failures.length > 0) exitCode = ExitCode.ToolError;
            if (interrupted) exitCode = 128 + osConstants.signals[interrupted];
          } finally {
            if (!args.trace) removeTrace(tracePath);
          }
        },
      )
      .command(
        'report <trace>',
        'analyze a saved trace again, offline, with the same formats',
        (y) =>
          outputOptions(y)
            .positional('trace', { type: 'string', demandOption: true, describe: 'a trace written by racecheck run --trace' })
            .example('$0 report run.trace --format json', 'the findings of a saved run as ESLint JSON'),
        async (args) => {
          const output = toOutput(args as unknown as OutputArgs);
          const rules = rulesOf(args as unknown as OutputArgs);
          const { analyzeTraceFile } = await loadAnalysis();
          const report = analyzeTraceFile(String(args.trace), { cwd, ...(rules ? { rules } : {}) });
          emitReport(report, output, version, report.run?.program);
          if (args.stats && !output.output && output.format === 'stylish') printStats(report);
          exitCode = exitCodeFor(report, output.maxWarnings);
        },
      )
      .command(
        'analyze [paths..]',
        'find races and deadlocks without running the code (static analysis of a TypeScript project)',
        (y) =>
          outputOptions(y)
            .positional('paths', { type: 'string', array: true, describe: 'files or folders (default: the project of ./tsconfig.json)' })
            .option('project', { alias: 'p', type: 'string', describe: 'the tsconfig.json to use' })
            .epilog('--no-rule <id>  leave a rule out (repeatable)')
            .example('$0 analyze', 'the project of ./tsconfig.json')
            .example('$0 analyze src --format sarif -o static.sarif', 'one folder, SARIF for code scanning'),
        async (args) => {
          const output = toOutput(args as unknown as OutputArgs);
          const rules = rulesOf(args as unknown as OutputArgs);
          // ts-morph takes a third of a second to load: only `analyze` pays for it.
          const { analyzeCommand } = await import('./analyze-command.js');
          exitCode = analyzeCommand({
            cwd,
            paths: ((args['paths'] as string[] | undefined) ?? []).map(String),
            ...(args.project ? { tsconfig: String(args.project) } : {}),
            ...(rules ? { rules } : {}),
            without,
            output,
            version,
          });
        },
      )
      .command('trace', 'work with saved trace files', (y) =>
        y
          .command(
            'dump <trace>',
            'print a trace as JSON lines: a metadata line, one line per event in merged order, a summary line',
            (z) => z.positional('trace', { type: 'string', demandOption: true, describe: 'a trace written by racecheck run --trace' }),
            async (args) => {
              const { dumpTrace } = await loadAnalysis();
              dumpTrace(String(args.trace), (line) => process.stdout.write(`${line}\n`));
            },
          )
          .example('$0 trace dump run.trace | head', 'the first events of a saved trace')
          .demandCommand(1, 'Name a trace command; see racecheck trace --help.'),
      )
      .version(version)
      .help()
      .alias('h', 'help')
      .strict()
      .demandCommand(1, 'Name a command; see racecheck --help.')
      .fail((message, error) => {
        // yargs' own validation errors (YError) are usage errors; anything a command threw passes on as it is.
        if (error && error.name !== 'YError') throw error;
        throw new UsageError(message ?? error?.message ?? 'invalid arguments');
      })
      .parseAsync();
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    exitCode = ExitCode.ToolError;
  }
  return exitCode;
}
