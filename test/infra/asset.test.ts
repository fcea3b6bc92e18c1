import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiverStack } from '../../infra/archiver-stack.ts';
import { BUNDLE_DIR } from '../../infra/import-archiver.ts';
import { ENV, FLAGS } from './synth.ts';

// dist/lambda comes from `npm run build` (npm test and cdk.json's app run it first); no suite rebuilds it.
const outdir = mkdtempSync(join(tmpdir(), 'archiver-asset-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the deployed code', () => {
  it('is the bundle the tests ran, dist/lambda/handler.mjs, byte for byte and nothing else', () => {
    expect(existsSync(join(BUNDLE_DIR, 'handler.mjs')), 'run `npm run build` first').toBe(true);
    const app = new App({ outdir, context: FLAGS });
    const stack = new ArchiverStack(app, 'Asset', { env: ENV });
    const template = Template.fromJSON(app.synth().getStackByName(stack.stackName).template);
    const key = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'handler.handler',
      Code: { S3Bucket: Match.anyValue(), S3Key: key },
    });

    const staged = join(outdir, `asset.${key.asString().replace(/\.zip$/, '')}`);
    expect(readdirSync(staged).sort()).toEqual(readdirSync(BUNDLE_DIR).sort());
    expect(sha256(join(staged, 'handler.mjs'))).toBe(sha256(join(BUNDLE_DIR, 'handler.mjs')));
    // `handler.handler`: the file handler.mjs exports a function named handler.
    expect(readFileSync(join(staged, 'handler.mjs'), 'utf8')).toMatch(
      /export\s*\{[^}]*\bas handler\s*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/,
    );
  });
});
