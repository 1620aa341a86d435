/**
 * ESLint's "stylish" look: findings grouped by file, `line:col  severity  message  rule-id`, and under each
 * one the other side of it (the conflicting access, each edge of a cycle, each waiting thread), then a
 * summary line. A header names how the program ended when that matters.
 */
import { styleText } from 'node:util';
import { formatLocation, programFailure, relativePath, type Finding } from '../../core/findings.js';
import { printable } from '../../core/text.js';
import type { Formatter } from './types.js';

type Style = Parameters<typeof styleText>[0];

export const stylish: Formatter = (report, context) => {
  const paint = (style: Style, text: string): string => (context.color ? styleText(style, text) : text);
  const lines: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const file = finding.location?.file ?? context.fallbackFile ?? '<unknown>';
    let group = byFile.get(file);
    if (!group) {
      group = [];
      byFile.set(file, group);
    }
    group.push(finding);
  }
  for (const [file, findings] of byFile) {
    lines.push('', paint('underline', printable(relativePath(file, report.cwd))));
    const width = Math.max(...findings.map((f) => (f.location ? `${f.location.line}:${f.location.column}` : '0:0').length));
    const indent = ' '.repeat(2 + width + 2);
    for (const finding of findings) {
      const where = (finding.location ? `${finding.location.line}:${finding.location.column}` : '0:0').padEnd(width);
      const severity = finding.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
      const count = finding.count > 1 ? paint('dim', ` (${finding.count} times)`) : '';
      lines.push(`  ${paint('dim', where)}  ${severity}  ${printable(finding.message)}${count}  ${paint('dim', finding.ruleId)}`);
      for (const related of finding.related) {
        const at = related.location ? `${printable(formatLocation(related.location, report.cwd))}  ` : '';
        lines.push(`${indent}${paint('dim', '↳')} ${at}${printable(related.message)}`);
      }
    }
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const run = report.run;
  if (run?.endedBy === 'deadlock') lines.push('', paint('red', 'racecheck ended the program: it was deadlocked.'));
  if (run?.endedBy === 'timeout') lines.push('', paint('yellow', 'racecheck ended the program: it ran past --timeout.'));
  if (run?.traceComplete === false) lines.push('', paint('yellow', 'The trace was cut short (the program was killed): findings cover what was traced.'));
  if (run?.runningAtEnd?.length && run.endedBy !== 'deadlock' && run.endedBy !== 'timeout') {
    const names = run.runningAtEnd.map((name) => printable(name)).join(', ');
    lines.push('', paint('dim', `Still running when the program ended (daemon threads), traced until then: ${names}.`));
  }
  const failure = programFailure(run);
  if (failure) lines.push('', failure.fails ? paint('red', `${failure.text.slice(0, -1)}: the run fails (--allow-program-failure if it is meant to).`) : failure.text);
  const total = errors + warnings;
  if (total === 0) {
    lines.push('', paint('green', '✔ no races or deadlocks found'));
  } else {
    const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
    lines.push('', paint(errors > 0 ? 'red' : 'yellow', summary));
  }
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
};
