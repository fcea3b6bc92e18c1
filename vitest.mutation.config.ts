import { defineConfig, mergeConfig } from 'vitest/config';
import unit from './vitest.unit.config.ts';

// What `npm run mutation` runs against every mutant: the fast unit tests, with failing properties
// reported at once. A mutant only needs one failing case to be killed; shrinking it to the smallest
// one can cost hundreds of extra runs per mutant and tells the score nothing.
export default mergeConfig(
  unit,
  defineConfig({
    test: { setupFiles: ['test/support/properties-end-on-failure.ts'] },
  }),
);
