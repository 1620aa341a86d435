/**
 * The finding model, defined once: the runtime analyzer and the static analyzer produce findings, every
 * formatter reads them, CI tracks them by fingerprint.
 */
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';

import { ruleMeta, type RuleId, type Severity } from './rules.js';

export type { RuleId, Severity } from './rules.js';

export interface SourceLocation {
  /** Absolute path (formatters make it relative). */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  functionName?: string;
}

export interface ThreadRef {
  id: number;
  name: string;
}

export interface LockRef {
  /** Stable within one report. */
  id: string;
  /** e.g. "Lock created at bank.ts:12:14". */
  name: string;
  created?: SourceLocation;
}

/** The other side of a finding: the earlier access of a race, an edge of a cycle, a link of a wait-for chain. */
export interface RelatedLocation {
  message: string;
  location?: SourceLocation;
  thread?: ThreadRef;
  locksHeld?: LockRef[];
  access?: 'read' | 'write';
}

export interface Finding {
  ruleId: RuleId;
  severity: Severity;
  message: string;
  /** Where the finding shows: the later access of a race, the cycle-closing acquisition, … */
  location?: SourceLocation;
  thread?: ThreadRef;
  locksHeld?: LockRef[];
  access?: 'read' | 'write';
  related: RelatedLocation[];
  /** Every thread involved. */
  threads: ThreadRef[];
  /** How many times it happened (races deduplicated by site pair). */
  count: number;
  fingerprint: string;
}

export interface LockStatistics {
  lock: LockRef;
  acquisitions: number;
  contended: number;
  /** ms spent waiting, summed over acquisitions. */
  waitTotal: number;
  waitLongest: number;
  holdLongest: number;
  holdLongestAt?: SourceLocation;
}

export interface RunInfo {
  program?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** False when the trace was cut short (killed before the collector could end it). */
  traceComplete?: boolean;
  endedBy?: 'program' | 'timeout' | 'deadlock';
  /** `--allow-program-failure`: the program may exit non-zero by design; its failure is told, not failed. */
  failureAllowed?: boolean;
  /** Threads other than main still running when the program ended (daemons): the trace ends before they do. */
  runningAtEnd?: string[];
}

/**
 * How the program itself failed, if it did — exited non-zero, was killed, or crashed (an uncaught error is
 * exit code 1; a module that failed to load too) — in one sentence every format tells. A run racecheck
 * ended itself (deadlock, --timeout) is not the program's failure. `fails` says whether it fails the run
 * (as `go test -race` fails on a crash), unless the user allowed it.
 */
export function programFailure(run: RunInfo | undefined): { text: string; fails: boolean } | undefined {
  if (!run || run.endedBy === 'deadlock' || run.endedBy === 'timeout') return undefined;
  let text: string;
  if (run.signal) text = `The program was ended by ${run.signal}.`;
  else if (typeof run.exitCode === 'number' && run.exitCode !== 0) text = `The program exited with code ${run.exitCode}.`;
  else return undefined;
  return { text, fails: run.failureAllowed !== true };
}

export interface Report {
  version: 1;
  findings: Finding[];
  stats?: LockStatistics[];
  run?: RunInfo;
  /** Base for relative paths in output. */
  cwd: string;
}

/** Default severity of a rule. */
export function severityOf(id: RuleId): Severity {
  return ruleMeta(id).severity;
}

/** A path relative to `cwd`, with forward slashes (fingerprints and SARIF need one spelling). */
export function relativePath(file: string, cwd: string): string {
  const path = relative(cwd, file) || file;
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * A stable fingerprint: the rule and each location's relative file and function (not its line, so that
 * unrelated edits above it do not change it), sorted so that the order of sides does not matter.
 */
export function fingerprintOf(ruleId: RuleId, locations: (SourceLocation | undefined)[], cwd: string, extra = ''): string {
  const parts = locations
    .filter((location): location is SourceLocation => location !== undefined)
    .map((location) => `${relativePath(location.file, cwd)}#${location.functionName || `line${location.line}`}`)
    .sort();
  return createHash('sha256').update([ruleId, ...parts, extra].join('\n')).digest('hex').slice(0, 32);
}

export function formatLocation(location: SourceLocation | undefined, cwd: string): string {
  if (!location) return 'an unknown place';
  return `${relativePath(location.file, cwd)}:${location.line}:${location.column}`;
}

export function describeLocks(locks: LockRef[] | undefined): string {
  if (!locks || locks.length === 0) return 'holding no locks';
  return `holding ${locks.map((lock) => lock.name).join(', ')}`;
}

/** By file, then line, then rule: reports read top to bottom like the source. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
