// Loaded with NODE_OPTIONS=--import by the instrumentation benchmark: each process (not its worker
// threads, which share its memory) appends its peak RSS in KB to the file named by RACECHECK_BENCH_RSS.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.RACECHECK_BENCH_RSS;
if (file && isMainThread) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
