// Bundles the Lambda into the single ESM file the contract names: dist/lambda/handler.mjs.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { lambdaBuildOptions } from './build-options.ts';

// The test run builds the bundle once, before any suite (test/support/build-once.ts); `npm start`
// run by a test must use that bundle, not rewrite it while other suites load it.
if (process.env.ARCHIVER_SKIP_BUILD === '1' && existsSync('dist/lambda/handler.mjs')) process.exit(0);

const result = await build(lambdaBuildOptions({ entry: 'lambda/handler.ts', outfile: 'dist/lambda/handler.mjs' }));
const out = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'));
if (out) console.log(`built ${out[0]} (${out[1].bytes} bytes)`);
