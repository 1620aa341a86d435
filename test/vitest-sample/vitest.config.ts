import { defineConfig } from 'vitest/config';
import racecheck from 'racecheck/vitest';

export default defineConfig({
  plugins: [
    racecheck({
      timeout: 4000,
      ...(process.env['SAMPLE_REPORT'] ? { report: { format: 'sarif' as const, file: process.env['SAMPLE_REPORT'] } } : {}),
    }),
  ],
  test: {
    include: ['**/*.sample.ts'],
  },
});
