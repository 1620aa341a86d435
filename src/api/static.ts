/**
 * Static analysis of a project, as `racecheck analyze` reports it: the rules asked for, suppression
 * comments applied (unused ones reported), files that do not parse reported as such.
 */
import { readFileSync } from 'node:fs';
import type { Report } from '../core/findings.js';
import { RULE_IDS, RULES, type RuleId } from '../core/rules.js';
import { applySuppressions } from '../report/suppressions.js';
import { analyzeProject as analyzeSources, type StaticAnalysisOptions } from '../static/analyze.js';

export type { StaticAnalysisOptions } from '../static/analyze.js';

/** The rules static analysis has. */
export const STATIC_RULES: readonly RuleId[] = RULE_IDS.filter((id) => RULES.get(id)!.kinds.includes('static'));

export interface ProjectReport {
  report: Report;
  /** Files analyzed: 0 means nothing could be (every file failed to parse, or there were none). */
  analyzed: number;
}

export function analyzeProject(options: StaticAnalysisOptions): ProjectReport {
  const enabled = new Set(options.rules ?? STATIC_RULES);
  const result = analyzeSources({ ...options, rules: enabled });
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const findings = result.findings.filter((f) => f.ruleId === 'parse-error' || enabled.has(f.ruleId));
  const { findings: shown } = applySuppressions(findings, result.files, read, options.cwd, enabled);
  return { report: { version: 1, findings: shown, cwd: options.cwd }, analyzed: result.analyzed };
}
