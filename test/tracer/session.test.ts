import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventKind } from '../../src/tracer/schema.js';
import { readAll, runTraced, tempPath } from './trace-helpers.js';

const program = fileURLToPath(new URL('./programs/traced.mjs', import.meta.url));

function expectCompleteTrace(path: string): void {
  const { reader, events } = readAll(path);
  expect(reader.complete).toBe(true);
  const kinds = events.map((e) => e.kind);
  expect(kinds.filter((k) => k === EventKind.LockAcquired)).toHaveLength(1000);
  expect(kinds.filter((k) => k === EventKind.LockRelease)).toHaveLength(1000);
  expect(kinds).toContain(EventKind.ThreadSpawn);
  expect(kinds).toContain(EventKind.ThreadStart);
  expect(kinds).toContain(EventKind.ThreadExit);
  expect(kinds).toContain(EventKind.ThreadJoin);
  expect(kinds).toContain(EventKind.QueuePut);
  expect(kinds).toContain(EventKind.QueueGet);
  const worker = events.find((e) => e.kind === EventKind.LockAcquired)!.thread;
  expect(reader.threadName(worker)).toBe('worker');
  expect(reader.threadName(0)).toBe('main');
  const site = reader.sites.get(events.find((e) => e.kind === EventKind.LockAcquired)!.site)!;
  expect(site.file).toBe(program);
  expect(site.line).toBe(7);
  expect(reader.sequenceGaps).toBe(0);
}

describe('a traced run', () => {
  it('leaves a complete trace when the program returns', async () => {
    const trace = tempPath('normal.trace');
    const run = await runTraced(program, [], trace);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectCompleteTrace(trace);
  });

  it('leaves a complete trace when the program throws', async () => {
    const trace = tempPath('throw.trace');
    const run = await runTraced(program, ['throw'], trace);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the program failed');
    expectCompleteTrace(trace);
  });

  it('leaves a complete trace when the program calls process.exit(3)', async () => {
    const trace = tempPath('exit.trace');
    const run = await runTraced(program, ['exit'], trace);
    expect(run.code, run.stderr).toBe(3);
    expectCompleteTrace(trace);
  });

  it('leaves a complete trace when the program is killed by SIGTERM, and still dies of it', async () => {
    const trace = tempPath('sigterm.trace');
    let sent = false;
    const run = await runTraced(program, ['wait'], trace, (stdout, pid) => {
      if (!sent && stdout.includes('ready')) {
        sent = true;
        process.kill(pid, 'SIGTERM');
      }
    });
    expect(run.signal, `exit code ${run.code}, stderr: ${run.stderr}`).toBe('SIGTERM');
    expectCompleteTrace(trace);
  });

  it('records tracked memory accesses with their sites through a tiny ring', async () => {
    const trace = tempPath('memory.trace');
    const memoryProgram = fileURLToPath(new URL('./programs/tracked.mjs', import.meta.url));
    const run = await runTraced(memoryProgram, [], trace, undefined, { RACECHECK_LANE_RECORDS: '64' });
    expect(run.stderr).toBe('');
    const { reader, events } = readAll(trace);
    const writes = events.filter((e) => e.kind === EventKind.MemoryWrite);
    const reads = events.filter((e) => e.kind === EventKind.MemoryRead);
    expect(writes).toHaveLength(2 * 500 + 1);
    // One more read: the final console.log.
    expect(reads).toHaveLength(2 * 500 + 2);
    // The worker's view starts 8 bytes in: its element 1 is the main thread's element 3.
    const bufferIds = new Set(writes.map((e) => `${e.objectHi}:${e.objectLo}`));
    expect(bufferIds.size).toBe(1);
    expect(new Set(writes.map((e) => e.arg))).toEqual(new Set([12]));
    expect(writes.every((e) => e.width === 4)).toBe(true);
    const sites = new Set(writes.map((e) => reader.sites.get(e.site)!.line));
    expect(sites).toEqual(new Set([7, 17, 19]));
    expect(run.stdout.trim()).toBe('1001');
  });
});
