/** Hand-built event sequences for analyzer tests: each site id is a line of '/src/prog.ts'. */
import { analyzeTrace } from '../../src/analyzer/analyze.js';
import type { Finding, Report } from '../../src/core/findings.js';
import { AcquireMode, EventKind, isSyncKind, ObjectType, type Site, type TraceEvent } from '../../src/tracer/schema.js';

export const FILE = '/src/prog.ts';

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  readonly names = new Map<number, string>();
  #seq = 0;

  add(thread: number, kind: EventKind, object: number, arg = 0, line = 0, width = 0, time = 0, detail = 0): this {
    this.events.push({
      kind,
      thread,
      seq: isSyncKind(kind) ? this.#seq++ : -1,
      objectHi: Math.floor(object / 2 ** 32),
      objectLo: object >>> 0,
      site: line,
      arg,
      width,
      detail,
      time,
      offset: 0,
    });
    return this;
  }

  name(thread: number, name: string): this {
    this.names.set(thread, name);
    return this;
  }

  write(thread: number, line: number, offset = 0, buffer = 500): this {
    return this.add(thread, EventKind.MemoryWrite, buffer, offset, line, 4);
  }

  read(thread: number, line: number, offset = 0, buffer = 500): this {
    return this.add(thread, EventKind.MemoryRead, buffer, offset, line, 4);
  }

  create(thread: number, object: number, type: number, line: number): this {
    return this.add(thread, EventKind.ObjectCreate, object, type, line);
  }

  lock(thread: number, lock: number, line: number, mode: number = AcquireMode.Blocking): this {
    return this.add(thread, EventKind.LockAttempt, lock, mode, line).add(thread, EventKind.LockAcquired, lock, mode, line);
  }

  unlock(thread: number, lock: number, line: number): this {
    return this.add(thread, EventKind.LockRelease, lock, 0, line);
  }

  /** `parent` starts thread object `object` whose code runs as `child`. */
  spawn(parent: number, object: number, child: number, line = 90, daemon = false): this {
    return this.add(parent, EventKind.ThreadSpawn, object, child, line, daemon ? 1 : 0).add(child, EventKind.ThreadStart, object, 0);
  }

  exit(child: number, object: number): this {
    return this.add(child, EventKind.ThreadExit, object, 0);
  }

  join(joiner: number, object: number, line = 91): this {
    return this.add(joiner, EventKind.ThreadJoin, object, 0, line);
  }

  analyze(): Report {
    return analyzeTrace(
      {
        events: () => this.events,
        site: (id): Site | undefined => (id > 0 ? { file: FILE, line: id, column: 1, functionName: `f${id}` } : undefined),
        threadName: (thread) => this.names.get(thread) ?? (thread === 0 ? 'main' : `thread ${thread}`),
      },
      { cwd: '/src' },
    );
  }

  /** Data-race findings. */
  races(): Finding[] {
    return this.analyze().findings.filter((finding) => finding.ruleId === 'data-race');
  }

  findings(rule?: string): Finding[] {
    return this.analyze().findings.filter((finding) => rule === undefined || finding.ruleId === rule);
  }
}

export { AcquireMode, EventKind, ObjectType };
