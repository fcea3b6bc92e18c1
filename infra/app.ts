import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArchiverStack, settingsFromContext } from './archiver-stack.ts';

const app = new App();
// Every synth checks the AWS Solutions rules; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new ArchiverStack(app, String(app.node.tryGetContext('stackName') ?? 'IscImportArchiver'), {
  settings: settingsFromContext((key) => app.node.tryGetContext(key)),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'isc-import-archiver: keeps every SailPoint ISC sp-config import outcome in S3',
});
