/**
 * The main module of a program process racecheck started before it knew what to run (api/prestart.ts). By
 * the time it runs, the preload has received the run and set `process.argv` to the program and its
 * arguments: it runs that program the way Node runs a main module (`require.main`, `import.meta.url`,
 * errors and exit codes as under `node program`).
 */
import Module from 'node:module';

(Module as unknown as { runMain(): void }).runMain();
