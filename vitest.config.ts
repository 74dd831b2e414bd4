import { defineConfig } from 'vitest/config';

// One run for the whole repo: unit tests beside each package's sources
// (packages/*/test mirrors packages/*/src), the example's tests, and the
// end-to-end suite in test/ that starts real servers.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests bind ports and start servers; isolate them in forks.
    pool: 'forks',
  },
});
