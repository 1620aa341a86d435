/**
 * The racecheck command line. `main(argv)` returns the exit code and never calls `process.exit`, so it can
 * be tested in-process and embedded; only bin.ts touches the process.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { RacecheckError } from '../core/errors.js';
import { dumpTrace } from '../tracer/dump.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes, as ESLint's: 0 clean, 1 findings, 2 the tool could not do its job. */
export const ExitCode = { Clean: 0, Findings: 1, ToolError: 2 } as const;

function traceCommands(cli: Argv): Argv {
  return cli
    .command(
      'dump <trace>',
      'print a trace as JSON lines: a metadata line, one line per event in merged order, a summary line',
      (y) => y.positional('trace', { type: 'string', demandOption: true, describe: 'a trace file written by racecheck run --trace' }),
      (args) => {
        dumpTrace(String(args.trace), (line) => process.stdout.write(`${line}\n`));
      },
    )
    .example('$0 trace dump run.trace | head', 'the first events of a saved trace')
    .demandCommand(1, 'Name a trace command; see racecheck trace --help.');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Clean;
  try {
    await yargs(argv)
      .scriptName('racecheck')
      .usage('$0 <command> [options]\n\nFinds data races and deadlocks in Node.js programs that use worker threads.')
      .command('trace', 'work with saved trace files', traceCommands)
      .version(version)
      .help()
      .strict()
      .demandCommand(1, 'Name a command; see racecheck --help.')
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
  } catch (error) {
    process.stderr.write(`racecheck: ${oneLine(error)}\n`);
    exitCode = ExitCode.ToolError;
  }
  return exitCode;
}

class UsageError extends Error {}

function oneLine(error: unknown): string {
  const message = error instanceof RacecheckError || error instanceof UsageError || error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}
