// Bundles the Lambda into the single ESM file the contract names: dist/lambda/handler.mjs.
import { build } from 'esbuild';
import { lambdaBuildOptions } from './build-options.ts';

const result = await build(lambdaBuildOptions({ entry: 'lambda/handler.ts', outfile: 'dist/lambda/handler.mjs' }));
const out = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'));
if (out) console.log(`built ${out[0]} (${out[1].bytes} bytes)`);
