/**
 * SARIF 2.1.0 as GitHub code scanning takes it: the tool with every rule that fired (and its help), each
 * finding with its location, the other side as relatedLocations, a code flow with one thread flow per
 * thread, and the fingerprint as a partial fingerprint. Paths are relative to the repository root
 * (the report's cwd), anchored at %SRCROOT%.
 */
import { pathToFileURL } from 'node:url';
import { programFailure, relativePath, type Finding, type RelatedLocation, type SourceLocation } from '../../core/findings.js';
import { RULE_IDS, ruleDocsPath, ruleMeta, type RuleId } from '../../core/rules.js';
import { uriReference } from './escape.js';
import type { Formatter } from './types.js';

const HOMEPAGE = 'https://github.com/racecheck/racecheck';

function physical(location: SourceLocation, cwd: string): Record<string, unknown> {
  return {
    artifactLocation: { uri: uriReference(relativePath(location.file, cwd)), uriBaseId: '%SRCROOT%' },
    region: {
      startLine: Math.max(1, location.line),
      startColumn: Math.max(1, location.column),
      ...(location.endLine ? { endLine: location.endLine } : {}),
      ...(location.endColumn ? { endColumn: location.endColumn } : {}),
    },
  };
}

function threadFlows(finding: Finding, cwd: string): Record<string, unknown>[] {
  const steps: { thread: string; location: SourceLocation; message: string }[] = [];
  if (finding.location) steps.push({ thread: finding.thread?.name ?? 'main', location: finding.location, message: finding.message });
  for (const related of finding.related) {
    if (related.location) steps.push({ thread: related.thread?.name ?? finding.thread?.name ?? 'main', location: related.location, message: related.message });
  }
  const byThread = new Map<string, typeof steps>();
  for (const step of steps) {
    const list = byThread.get(step.thread) ?? [];
    list.push(step);
    byThread.set(step.thread, list);
  }
  return [...byThread.entries()].map(([thread, list]) => ({
    id: thread,
    message: { text: `thread '${thread}'` },
    locations: list.map((step) => ({ location: { physicalLocation: physical(step.location, cwd), message: { text: step.message } } })),
  }));
}

export const sarif: Formatter = (report, context) => {
  const used = RULE_IDS.filter((id) => report.findings.some((f) => f.ruleId === id));
  const ruleIndex = new Map<RuleId, number>(used.map((id, i) => [id, i]));
  const rules = used.map((id) => {
    const meta = ruleMeta(id);
    return {
      id,
      name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: meta.description },
      fullDescription: { text: meta.description },
      help: { text: meta.help, markdown: `${meta.help}\n\nSee [${id}](${HOMEPAGE}/blob/main/${ruleDocsPath(id)}).` },
      helpUri: `${HOMEPAGE}/blob/main/${ruleDocsPath(id)}`,
      defaultConfiguration: { level: meta.severity },
      properties: { tags: ['concurrency', ...meta.kinds] },
    };
  });
  const results = report.findings.map((finding) => {
    const location = finding.location ?? (context.fallbackFile ? { file: context.fallbackFile, line: 1, column: 1 } : undefined);
    const related = finding.related.filter((r): r is RelatedLocation & { location: SourceLocation } => r.location !== undefined);
    return {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId)!,
      level: finding.severity,
      message: { text: finding.message },
      ...(location ? { locations: [{ physicalLocation: physical(location, report.cwd) }] } : {}),
      ...(related.length > 0
        ? { relatedLocations: related.map((r, i) => ({ id: i + 1, physicalLocation: physical(r.location, report.cwd), message: { text: r.message } })) }
        : {}),
      ...(location ? { codeFlows: [{ message: { text: finding.message }, threadFlows: threadFlows({ ...finding, location }, report.cwd) }] } : {}),
      partialFingerprints: { 'racecheckFingerprint/v1': finding.fingerprint },
      occurrenceCount: finding.count,
    };
  });
  const failure = programFailure(report.run);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'racecheck', informationUri: HOMEPAGE, version: context.version, semanticVersion: context.version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(report.cwd.endsWith('/') ? report.cwd : `${report.cwd}/`).href } },
        results,
        ...(report.run
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  ...(typeof report.run.exitCode === 'number' ? { exitCode: report.run.exitCode } : {}),
                  ...(report.run.signal ? { exitSignalName: report.run.signal } : {}),
                  ...(failure
                    ? { toolExecutionNotifications: [{ level: failure.fails ? 'error' : 'warning', message: { text: failure.text }, descriptor: { id: 'program-failure' } }] }
                    : {}),
                },
              ],
            }
          : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
