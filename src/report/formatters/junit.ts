/**
 * JUnit XML for CI test-report views: one testcase per rule and file, failing with the findings' messages;
 * a run without findings is one passing testcase, so the view shows that racecheck ran.
 */
import { formatLocation, programFailure, relativePath, type Finding } from '../../core/findings.js';
import { xmlText } from './escape.js';
import type { Formatter } from './types.js';

const escape = xmlText;

export const junit: Formatter = (report, context) => {
  const cases = new Map<string, { file: string; rule: string; findings: Finding[] }>();
  for (const finding of report.findings) {
    const file = relativePath(finding.location?.file ?? context.fallbackFile ?? '<unknown>', report.cwd);
    const key = `${file}\u0000${finding.ruleId}`;
    const entry = cases.get(key) ?? { file, rule: finding.ruleId, findings: [] };
    entry.findings.push(finding);
    cases.set(key, entry);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // The program's own failure is a testcase in error: the run could not be judged whole.
  const failure = programFailure(report.run);
  const errors = failure?.fails ? 1 : 0;
  const total = Math.max(1, cases.size + errors);
  lines.push(`<testsuites name="racecheck" tests="${total}" failures="${cases.size}" errors="${errors}">`);
  lines.push(`  <testsuite name="racecheck" tests="${total}" failures="${cases.size}" errors="${errors}" skipped="0">`);
  if (failure?.fails) {
    const program = relativePath(report.run?.program ?? context.fallbackFile ?? '<unknown>', report.cwd);
    lines.push(`    <testcase classname="${escape(program)}" name="program">`, `      <error message="${escape(failure.text)}" type="program-failure"/>`, '    </testcase>');
  }
  if (cases.size === 0 && !failure?.fails) lines.push('    <testcase classname="racecheck" name="no races or deadlocks"/>');
  for (const { file, rule, findings } of cases.values()) {
    lines.push(`    <testcase classname="${escape(file)}" name="${escape(rule)}">`);
    const summary = `${findings.length} ${rule} finding${findings.length === 1 ? '' : 's'}`;
    const details = findings
      .map((f) => [`${formatLocation(f.location, report.cwd)}: ${f.severity}: ${f.message}`, ...f.related.map((r) => `  ${r.message}${r.location ? ` at ${formatLocation(r.location, report.cwd)}` : ''}`)].join('\n'))
      .join('\n');
    lines.push(`      <failure message="${escape(summary)}" type="${escape(rule)}">${escape(details)}</failure>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
};
