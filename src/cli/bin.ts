#!/usr/bin/env node
import Module from 'node:module';
import { errorLine, UnsupportedNodeError } from '../core/errors.js';
import { unsupportedNode } from '../core/node-support.js';
import { prestartProgram } from './prestart.js';

const unsupported = unsupportedNode(process.version, typeof (Module as { registerHooks?: unknown }).registerHooks === 'function');
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
