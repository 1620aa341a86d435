import type { Report } from '../../core/findings.js';

export interface FormatContext {
  /** Colors for a terminal (stylish only). */
  color: boolean;
  version: string;
  /** Path reported for findings with no location (the program's entry). */
  fallbackFile?: string;
}

export type Formatter = (report: Report, context: FormatContext) => string;
