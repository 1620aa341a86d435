/** Every output format, one module each, registered here with a one-line description. */
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import type { Formatter } from './types.js';

export type { FormatContext, Formatter } from './types.js';

export const FORMATTERS = {
  stylish: { format: stylish, description: 'for people: grouped by file, like ESLint' },
  json: { format: json, description: "ESLint's JSON shape, racecheck's extras under `racecheck`" },
  sarif: { format: sarif, description: 'SARIF 2.1.0, for GitHub code scanning' },
  junit: { format: junit, description: 'JUnit XML, for CI test-report views' },
} as const satisfies Record<string, { format: Formatter; description: string }>;

export type FormatName = keyof typeof FORMATTERS;

export const FORMAT_NAMES = Object.keys(FORMATTERS) as FormatName[];

export function isFormatName(name: string): name is FormatName {
  return name in FORMATTERS;
}
