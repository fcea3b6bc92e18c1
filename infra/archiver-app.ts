import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STACK_NAME, PRODUCT } from '../lambda/contract/constants.ts';
import { settingsFromContext } from './archiver-settings.ts';
import { ArchiverStack } from './archiver-stack.ts';

/** The CDK app: the one stack, named and configured by context, checked by cdk-nag on every synth. */
export function defineArchiverApp(app: App): ArchiverStack {
  // An unacknowledged AWS Solutions finding fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return new ArchiverStack(app, String(app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME), {
    settings: settingsFromContext((key) => app.node.tryGetContext(key)),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `${PRODUCT}: keeps every SailPoint ISC sp-config import outcome in S3`,
  });
}
