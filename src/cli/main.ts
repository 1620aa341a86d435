/**
 * The racecheck command line. `main(argv)` returns the exit code and never calls `process.exit`, so it can
 * be tested in-process and embedded; only bin.ts touches the process.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  await yargs(argv)
    .scriptName('racecheck')
    .usage('$0 <command> [options]\n\nFinds data races and deadlocks in Node.js programs that use worker threads.')
    .version(version)
    .help()
    .strict()
    .demandCommand(1, 'Name a command; see racecheck --help.')
    .fail((message, error) => {
      process.stderr.write(`racecheck: ${error?.message ?? message}\n`);
      exitCode = 2;
    })
    .parseAsync();
  return exitCode;
}
