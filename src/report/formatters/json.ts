/**
 * Exactly the shape of ESLint's JSON formatter, so that tools reading ESLint results read ours; racecheck's
 * extras (the other side, threads, locks, count, fingerprint) ride under `racecheck` on each message.
 */
import type { Finding, Report } from '../../core/findings.js';
import type { Formatter } from './types.js';

export interface EslintMessage {
  ruleId: string;
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  racecheck: {
    count: number;
    fingerprint: string;
    thread?: Finding['thread'];
    threads: Finding['threads'];
    locksHeld?: Finding['locksHeld'];
    access?: Finding['access'];
    related: Finding['related'];
  };
}

export interface EslintResult {
  filePath: string;
  messages: EslintMessage[];
  suppressedMessages: never[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  usedDeprecatedRules: never[];
}

export function eslintResults(report: Report, fallbackFile = '<unknown>'): EslintResult[] {
  const results = new Map<string, EslintResult>();
  for (const finding of report.findings) {
    const filePath = finding.location?.file ?? fallbackFile;
    let result = results.get(filePath);
    if (!result) {
      result = {
        filePath,
        messages: [],
        suppressedMessages: [],
        errorCount: 0,
        fatalErrorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        usedDeprecatedRules: [],
      };
      results.set(filePath, result);
    }
    const line = finding.location?.line ?? 0;
    const column = finding.location?.column ?? 0;
    result.messages.push({
      ruleId: finding.ruleId,
      severity: finding.severity === 'error' ? 2 : 1,
      message: finding.message,
      line,
      column,
      endLine: finding.location?.endLine ?? line,
      endColumn: finding.location?.endColumn ?? column,
      racecheck: {
        count: finding.count,
        fingerprint: finding.fingerprint,
        ...(finding.thread ? { thread: finding.thread } : {}),
        threads: finding.threads,
        ...(finding.locksHeld ? { locksHeld: finding.locksHeld } : {}),
        ...(finding.access ? { access: finding.access } : {}),
        related: finding.related,
      },
    });
    if (finding.severity === 'error') result.errorCount++;
    else result.warningCount++;
  }
  return [...results.values()];
}

export const json: Formatter = (report, context) => `${JSON.stringify(eslintResults(report, context.fallbackFile))}\n`;
