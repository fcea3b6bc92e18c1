// Mutation testing of lambda/ against the fast unit tests: `npm run mutation` (minutes, so not in CI).
// The JSON report goes to reports/mutation/mutation.json (ignored by git).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts' },
  mutate: ['lambda/**/*.ts'],
  // On purpose a file that does not exist: Stryker's TypeScript preprocessor calls the `typescript`
  // JS API, which TypeScript 7 (native) no longer has; with no tsconfig found it is skipped, and
  // vitest strips the types itself.
  tsconfigFile: 'tsconfig.stryker-none.json',
  checkers: [],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) re-run the whole suite each; they are left out of the
  // score, and said so in the README.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
