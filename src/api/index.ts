/**
 * racecheck in-process: what `racecheck run`, `racecheck analyze` and the vitest plugin are built on, for
 * tools that embed it (`racecheck/api`). Each part is also its own module, so that a caller loads only
 * what it uses (the CLI starts a program before it loads the analysis, and never loads ts-morph for a run).
 */
export { runTraced, checkEntry, removeTrace, type RunOptions, type RunResult } from './run.js';
export { analyzeTrace, analyzeTraceFile, dumpTrace, type AnalyzeFileOptions, type AnalyzeOptions, type TraceSource } from './analyze.js';
export { analyzeProject, STATIC_RULES, type ProjectReport, type StaticAnalysisOptions } from './static.js';
export { applySuppressions, FORMAT_NAMES, FORMATTERS, isFormatName, type FormatContext, type Formatter, type FormatName } from './report.js';
export { flushSession, sessionRecords, startSession, type Session, type SessionOptions } from './session.js';
export type { Finding, Report, RunInfo } from '../core/findings.js';
export { RULES, RULE_IDS, type RuleId, type Severity } from '../core/rules.js';
