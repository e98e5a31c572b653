import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: browser and engine tests are heavy, keep concurrency modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
