import { expect, it } from 'vitest';
import { runDeadlock } from './workers.js';

it('deadlocks', async () => {
  await runDeadlock();
});

it('still runs the other tests', () => {
  expect(true).toBe(true);
});
