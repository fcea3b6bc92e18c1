import { defineConfig } from 'vitest/config';

// What `npm run mutation` runs against every mutant: the unit tests of vitest.unit.config.ts, set
// up for a run of thousands of short test runs.
//
// - Most test files share one worker and its loaded modules (`isolate: false`): a mutant is
//   switched on at run time, so nothing needs loading again, and loading (the AWS SDK, the local
//   S3) was most of each mutant's time. Files that mock a client class or a module, or stub
//   process-wide state (the environment, stdout, the CA list), would leak into the files after
//   them, so they keep a fresh worker each.
// - A failing property stops at its first failure: a mutant needs one failing case to be killed;
//   shrinking it to the smallest costs hundreds of runs and tells the score nothing.
export const ISOLATED = [
  'test/unit/core/deadline.test.ts',
  'test/unit/invocation/*.test.ts',
  'test/unit/isc/secret-*.test.ts',
  'test/unit/storage/archive-store-failures.test.ts',
  'test/unit/storage/archive-store-reads.test.ts',
  'test/unit/storage/archive-store.test.ts',
  'test/unit/storage/multipart-upload*.test.ts',
  'test/unit/telemetry/*.test.ts',
];
/** What makes a test file leak into the next one in a shared worker (test/tooling checks the list). */
export const LEAKS =
  /mockClient\(|vi\.mock\(|vi\.stubEnv|vi\.stubGlobal|process\.env\b|captureOutput\(|useDoorTestBed\(|setDefaultCACertificates|useFakeTimers/;

const shared = { testTimeout: 20_000, setupFiles: ['test/support/properties-end-on-failure.ts'] };

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { name: 'shared', include: ['test/unit/**/*.test.ts'], exclude: ISOLATED, isolate: false, ...shared } },
      { test: { name: 'isolated', include: ISOLATED, ...shared } },
    ],
  },
});
