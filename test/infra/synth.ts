// Shared by the template tests: one way to synthesize the stack, as `cdk synth` would.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DISABLE_ASSET_STAGING_CONTEXT } from 'aws-cdk-lib/cx-api';
import { type ArchiverSettings, ArchiverStack } from '../../infra/archiver-stack.ts';

/** cdk.json's feature flags, so tests see the template a deploy would. */
export const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
/** Template tests reference dist/lambda in place instead of copying it per synth; test/infra/asset.test.ts stages it. */
export const NO_STAGING = { ...FLAGS, [DISABLE_ASSET_STAGING_CONTEXT]: true };
export const ENV = { account: '111122223333', region: 'us-east-1' } as const;
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:isc/creds-AbCdEf';
export const SECRET_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';
export const BUCKET_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1111abcd-12ab-34cd-56ef-1234567890ab';

export function synth(settings: ArchiverSettings = {}) {
  const app = new App({ context: NO_STAGING });
  const stack = new ArchiverStack(app, 'Test', { settings, env: ENV });
  return { stack, template: Template.fromStack(stack) };
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the stack's IAM policies (the function's role, mostly). */
export function roleStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

export const actionsOf = (s: Statement): string[] => [s.Action].flat();

/** The resources of a type, with their properties and policies. */
export function resources(
  template: Template,
  type: string,
): { Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }[] {
  return Object.values(template.findResources(type)) as never;
}
