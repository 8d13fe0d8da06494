import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start dynalite, child processes and esbuild bundles.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
