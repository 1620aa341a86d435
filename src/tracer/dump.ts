/** A trace as JSON lines, for people: one line of metadata, then one line per event in merged order. */
import { eventKindName, joinObjectId } from './schema.js';
import { TraceReader } from './trace-reader.js';

export function dumpTrace(path: string, write: (line: string) => void): { events: number; complete: boolean } {
  const reader = new TraceReader(path);
  let header = false;
  let count = 0;
  for (const event of reader.events()) {
    if (!header) {
      write(JSON.stringify({ trace: path, meta: reader.meta }));
      header = true;
    }
    const site = reader.sites.get(event.site);
    write(
      JSON.stringify({
        seq: event.seq >= 0 ? event.seq : undefined,
        thread: event.thread,
        threadName: reader.threadName(event.thread),
        kind: eventKindName(event.kind),
        object: joinObjectId(event.objectHi, event.objectLo),
        arg: event.arg,
        width: event.width || undefined,
        time: event.time || undefined,
        site: site ? `${site.file}:${site.line}:${site.column}` : undefined,
      }),
    );
    count++;
  }
  if (!header) write(JSON.stringify({ trace: path, meta: reader.meta }));
  write(JSON.stringify({ events: count, complete: reader.complete, sequenceGaps: reader.sequenceGaps }));
  return { events: count, complete: reader.complete };
}
