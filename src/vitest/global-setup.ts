/**
 * Vitest global setup (main process) for the `report` option: after every test file has run, merges the
 * findings each file's worker wrote and writes them as one SARIF or JSON report.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sortFindings, type Finding } from '../core/findings.js';
import { FORMATTERS } from '../api/report.js';
import { OPTIONS_ENV, type WorkerOptions } from './index.js';

export default function setup(): () => void {
  const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as WorkerOptions;
  const { report, partsDir } = options;
  if (!report || !partsDir) return () => undefined;
  mkdirSync(partsDir, { recursive: true });
  return () => {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const part of readdirSync(partsDir)) {
      for (const finding of JSON.parse(readFileSync(join(partsDir, part), 'utf8')) as Finding[]) {
        const key = `${finding.ruleId}:${finding.fingerprint}:${finding.location?.line}`;
        if (!seen.has(key)) findings.push(finding);
        seen.add(key);
      }
    }
    const text = FORMATTERS[report.format].format({ version: 1, findings: sortFindings(findings), cwd: process.cwd() }, { color: false, version: '' });
    writeFileSync(`${report.file}.tmp`, text);
    renameSync(`${report.file}.tmp`, report.file);
    rmSync(partsDir, { recursive: true, force: true });
  };
}
