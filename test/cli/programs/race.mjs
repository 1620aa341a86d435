// Two threads increment a tracked counter without a lock; prints what it reads from stdin, exits with argv[2].
import { isMainThread } from 'node:worker_threads';
import { Thread, track } from 'racecheck/primitives';

export function bump(counter) {
  counter[0] = counter[0] + 1;
}

if (isMainThread) {
  const counter = track(new Int32Array(new SharedArrayBuffer(4)));
  const threads = [new Thread({ target: bump, args: [counter] }), new Thread({ target: bump, args: [counter] })];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.joinAsync();
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  process.stdout.write(`echo: ${input.trim()}\n`);
  process.exitCode = Number(process.argv[2] ?? 0);
}
