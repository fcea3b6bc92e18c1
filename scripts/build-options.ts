import type { BuildOptions } from 'esbuild';

// CommonJS code inside an ESM bundle still calls require(); Node's ESM has none, so give it one.
export const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** One place for the bundle's options, shared by the build and the bundle-size benchmark floor. */
export function lambdaBuildOptions(input: { readonly entry: string; readonly outfile: string }) {
  return {
    entryPoints: [input.entry],
    outfile: input.outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    logLevel: 'warning',
  } satisfies BuildOptions;
}

/**
 * Node options the deployed function runs with. A 1 MB young generation makes V8 scavenge often
 * enough to free the socket and part buffers of a streamed download promptly: on a 200 MB backup
 * peak memory grew about 30 MB over a 1 MB job, against about 60 MB with the default, at no cost
 * in time measurable here (the README's performance section has the current figure).
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=1';
