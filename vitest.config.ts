import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'attacks/**/*.test.ts',
      'defenses/**/*.test.ts',
      'victims/**/*.test.ts',
      'benchmark/**/*.test.ts',
    ],
    // Training tests are CPU-bound; two cores means two files at a time at most.
    setupFiles: ['test/setup-fast-check.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
