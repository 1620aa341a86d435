import type {} from 'racecheck/vitest';
import { expect, it } from 'vitest';
import { runLocked, runRacy } from './workers.js';

it('races', async () => {
  expect(await runRacy()).toBeGreaterThan(0);
});

it('is fixed with a lock', async () => {
  expect(await runLocked()).toBe(200);
});

it('is unrelated', () => {
  expect(1 + 1).toBe(2);
});

it('asserts that a fixed bug stays fixed', async () => {
  await expect(runLocked).toBeRaceFree();
});

it('asserts that a known race is there', async () => {
  await expect(runRacy).toHaveRace({ rule: 'data-race' });
});
