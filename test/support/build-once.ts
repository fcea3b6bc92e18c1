import { spawnSync } from 'node:child_process';

/**
 * vitest globalSetup: builds dist/lambda/handler.mjs once, before any suite loads it, with the
 * same script as `npm run build`. No suite builds it again (the `npm start` tests are told so by
 * ARCHIVER_SKIP_BUILD, see vitest.config.ts), so none can read a half-written bundle.
 */
export default function setup(): void {
  const started = Date.now();
  const { ARCHIVER_SKIP_BUILD: _skip, ...env } = process.env;
  const run = spawnSync(process.execPath, ['scripts/build.ts'], { encoding: 'utf8', env });
  if (run.status !== 0) throw new Error(`The bundle did not build (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  console.log(`${run.stdout.trim()} once for this test run in ${Date.now() - started} ms`);
}
