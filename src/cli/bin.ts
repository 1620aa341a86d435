#!/usr/bin/env node
import { errorLine, UnsupportedNodeError } from '../core/errors.js';
import { hasInThreadHooks, unsupportedNode } from '../core/node-support.js';
import { prestartProgram } from '../api/prestart.js';

const unsupported = unsupportedNode(process.version, hasInThreadHooks);
if (unsupported) {
  process.stderr.write(`${errorLine(new UnsupportedNodeError(unsupported))}\n`);
  process.exit(2);
}

// Before the rest of the CLI loads: a run's program process boots meanwhile (prestart.ts).
const prestarted = prestartProgram(process.argv.slice(2));
const { main } = await import('./main.js');

// A reader that stops early (`racecheck trace dump x | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = await main(process.argv.slice(2), { prestarted });
} finally {
  prestarted?.discard();
}
