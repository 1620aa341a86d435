/** Reports in every output format racecheck has: the formatters, by name. */
export { FORMAT_NAMES, FORMATTERS, isFormatName, type FormatContext, type Formatter, type FormatName } from '../report/formatters/index.js';
export { applySuppressions } from '../report/suppressions.js';
