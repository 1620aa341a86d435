/**
 * Analysis of a recorded run: a saved trace file (as `racecheck run` and `racecheck report` do, suppression
 * comments and the watchdog's findings included), or any stream of events (analyzeTrace, pure), and the
 * trace's records in readable form (`racecheck trace dump`).
 */
export { analyzeTraceFile, type AnalyzeFileOptions } from '../session/analyze-file.js';
export { analyzeTrace, type AnalyzeOptions, type TraceSource } from '../analyzer/analyze.js';
export { dumpTrace } from '../tracer/dump.js';
