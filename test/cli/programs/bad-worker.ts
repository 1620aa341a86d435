// TypeScript: a worker whose file does not parse, and nobody listens for its error: the program crashes.
import { Worker } from 'node:worker_threads';

new Worker(new URL('./bad-worker-body.ts', import.meta.url));
