import { defineConfig } from 'vitest/config';
import racecheck from 'racecheck/vitest';

export default defineConfig({
  plugins: [racecheck({ timeout: 4000 })],
  test: {
    include: ['**/*.sample.ts'],
  },
});
