// Mutation testing of lambda/ against the fast unit tests: `npm run mutation` (minutes, so not in CI).
// The JSON report goes to reports/mutation/mutation.json (ignored by git).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
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
  // Slack over each mutant's own measured test time (times 1.5): a mutant that loops for ever is
  // called at the default 5 s rather than 10, which is what most of the run's wall time went to.
  timeoutMS: 5_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
