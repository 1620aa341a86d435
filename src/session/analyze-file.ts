/** Analysis of a saved trace: what `racecheck run` does after the program ends, and `racecheck report`. */
import { analyzeRun } from '../analyzer/analyze.js';
import { sortFindings, type Report, type RunInfo } from '../core/findings.js';
import type { RuleId } from '../core/rules.js';
import { readRegularFile } from '../core/safe-files.js';
import { applySuppressions } from '../report/suppressions.js';
import { TraceReader } from '../tracer/trace-reader.js';

export interface AnalyzeFileOptions {
  cwd: string;
  rules?: ReadonlySet<RuleId>;
  run?: RunInfo;
}

export function analyzeTraceFile(path: string, options: AnalyzeFileOptions): Report {
  const reader = new TraceReader(path);
  const { report, endedThreads } = analyzeRun(
    { events: () => reader.events(), site: (id) => reader.site(id), threadName: (thread) => reader.threadName(thread) },
    { cwd: options.cwd, ...(options.rules ? { rules: options.rules } : {}) },
  );
  // Read only now: the Findings chunk (the watchdog's) comes at the end of the trace.
  const duringRun = reader.findings.filter((f) => !options.rules || options.rules.has(f.ruleId));
  // A run racecheck had to end, or one cut short, never reached the joins: unjoined threads say nothing.
  const endedEarly = reader.end?.endedBy !== undefined || !reader.complete;
  const all = [...report.findings.filter((f) => !(endedEarly && f.ruleId === 'thread-leak')), ...duringRun];
  const files = new Set([...reader.sites.values()].map((site) => site.file));
  const { findings } = applySuppressions(sortFindings(all), files, readSource, options.cwd, options.rules);
  return {
    ...report,
    findings,
    run: {
      ...(reader.meta.program ? { program: reader.meta.program } : {}),
      ...options.run,
      traceComplete: reader.complete,
      ...(reader.end?.endedBy ? { endedBy: reader.end.endedBy as RunInfo['endedBy'] } : {}),
      ...runningAtEnd(reader, endedThreads),
    },
  };
}

/** Threads other than main still attached at the end that the trace did not see end (daemons, mostly). */
function runningAtEnd(reader: TraceReader, ended: ReadonlySet<number>): Pick<RunInfo, 'runningAtEnd'> {
  const running = (reader.end?.runningAtEnd ?? []).filter((thread) => thread !== 0 && !ended.has(thread));
  return running.length > 0 ? { runningAtEnd: running.map((thread) => reader.threadName(thread)) } : {};
}

/** A file a trace names is read as a source only if it is a regular file of a source's size. */
function readSource(file: string): string | undefined {
  return readRegularFile(file);
}
