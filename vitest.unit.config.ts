import { defineConfig } from 'vitest/config';

// The fast unit tests only (no built bundle, no child processes): what mutation testing runs
// against every mutant (`npm run mutation`), and a quick loop while changing lambda/.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 20_000,
    maxWorkers: 2,
  },
});
