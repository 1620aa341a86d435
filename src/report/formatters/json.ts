/**
 * Exactly the shape of ESLint's JSON formatter, so that tools reading ESLint results read ours; racecheck's
 * extras (the other side, threads, locks, count, fingerprint) ride under `racecheck` on each message.
 */
import { programFailure, type Finding, type Report } from '../../core/findings.js';
import type { Formatter } from './types.js';

export interface EslintMessage {
  ruleId: string | null;
  /** Set, as ESLint sets it for a file it could not parse, on the message telling that the program failed. */
  fatal?: true;
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  racecheck?: {
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
  const resultFor = (filePath: string): EslintResult => {
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
    return result;
  };
  for (const finding of report.findings) {
    const result = resultFor(finding.location?.file ?? fallbackFile);
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
  // The program's own failure, the way ESLint tells a file it could not lint: a message without a rule.
  const failure = programFailure(report.run);
  if (failure) {
    const result = resultFor(report.run?.program ?? fallbackFile);
    result.messages.push({ ruleId: null, fatal: true, severity: failure.fails ? 2 : 1, message: failure.text, line: 0, column: 0, endLine: 0, endColumn: 0 });
    if (failure.fails) {
      result.errorCount++;
      result.fatalErrorCount++;
    } else {
      result.warningCount++;
    }
  }
  return [...results.values()];
}

export const json: Formatter = (report, context) => `${JSON.stringify(eslintResults(report, context.fallbackFile))}\n`;
