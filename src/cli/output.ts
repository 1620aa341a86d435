/** Writing reports: to stdout, or to files written whole (a temp file renamed into place). */
import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { FileAccessError, InvalidArgumentError } from '../core/errors.js';
import type { Report } from '../core/findings.js';
import { FORMATTERS, FORMAT_NAMES, isFormatName, type FormatName } from '../api/report.js';

export interface OutputOptions {
  format: FormatName;
  output?: string;
  report: { format: FormatName; file: string }[];
  color: boolean;
  quiet: boolean;
  maxWarnings: number;
}

/** Parses repeated `--report <format>=<file>` values. */
export function parseReports(values: readonly string[]): { format: FormatName; file: string }[] {
  return values.map((value) => {
    const at = value.indexOf('=');
    const format = at > 0 ? value.slice(0, at) : '';
    const file = at > 0 ? value.slice(at + 1) : '';
    if (!isFormatName(format) || file === '') {
      throw new InvalidArgumentError(`--report takes <format>=<file> with a format of ${FORMAT_NAMES.join(', ')}; got '${value}'`);
    }
    return { format, file };
  });
}

export function writeWhole(file: string, text: string): void {
  const temp = `${file}.racecheck-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    // Exclusive: a file (or symlink) already at the temporary name is never written through. The rename
    // replaces a symlink at `file` itself, never what it points at.
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was written.
    }
    throw new FileAccessError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** `--quiet` keeps errors only, as ESLint's does. */
export function visible(report: Report, quiet: boolean): Report {
  return quiet ? { ...report, findings: report.findings.filter((f) => f.severity === 'error') } : report;
}

export function emitReport(report: Report, options: OutputOptions, version: string, fallbackFile?: string): void {
  const shown = visible(report, options.quiet);
  const context = { color: options.color, version, ...(fallbackFile ? { fallbackFile } : {}) };
  for (const { format, file } of options.report) writeWhole(file, FORMATTERS[format].format(shown, { ...context, color: false }));
  const main = FORMATTERS[options.format].format(shown, options.output ? { ...context, color: false } : context);
  if (options.output) {
    writeWhole(options.output, main);
    const summary = FORMATTERS.stylish.format({ ...shown, findings: [] }, context).trim();
    const errors = shown.findings.filter((f) => f.severity === 'error').length;
    const warnings = shown.findings.length - errors;
    process.stderr.write(
      shown.findings.length === 0 ? `${summary}\n` : `racecheck: ${shown.findings.length} problems (${errors} errors, ${warnings} warnings) written to ${options.output}\n`,
    );
  } else {
    process.stdout.write(main);
  }
}

/** ESLint's exit codes: 1 for any error, or for more warnings than --max-warnings allows. */
export function exitCodeFor(report: Report, maxWarnings: number): 0 | 1 {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  return errors > 0 || (maxWarnings >= 0 && warnings > maxWarnings) ? 1 : 0;
}
