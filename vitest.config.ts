import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The bundle is built once, before any suite needs it (test/support/build-once.ts).
    globalSetup: ['test/support/build-once.ts'],
    // Tells `npm start` (run by test/integration/local-start.test.ts) to use that bundle instead of
    // rebuilding it while other suites load it (scripts/build.ts reads it).
    env: { ARCHIVER_SKIP_BUILD: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: suites that start servers and child processes run two at a time.
    maxWorkers: 2,
  },
});
