// A plain worker_threads entry, as users write them: load TypeScript through tsx, then the real module.
import { register } from 'tsx/esm/api';

register();
await import('./raw-worker-body.ts');
