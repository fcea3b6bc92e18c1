import { CfnOutput, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ArchiveApiProps {
  readonly function: lambda.IFunction;
  /** Steady requests per second for the stage (default 5) and burst (default 10). */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  readonly logRetention?: logs.RetentionDays;
}

/** The contract's routes on a REST API that only IAM principals of the account can call. */
export class ArchiveApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: ArchiveApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'isc-import-archiver: archive sp-config imports on demand and read their manifests and reports',
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.rateLimit ?? 5,
        throttlingBurstLimit: props.burstLimit ?? 10,
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      endpointTypes: [apigateway.EndpointType.REGIONAL],
    });
    const validator = this.api.addRequestValidator('PathValidator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigateway.LambdaIntegration(props.function);
    const method = { requestValidator: validator, requestParameters: { 'method.request.path.jobId': true } };

    const job = this.api.root.addResource('imports').addResource('{jobId}');
    job.addMethod('GET', integration, method);
    job.addResource('archive').addMethod('POST', integration, method);
    job.addResource('report').addMethod('GET', integration, method);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Every method needs SigV4-signed IAM credentials of the account; stage throttling bounds abuse, so a WAF adds cost without protection.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are pipelines and operators with IAM credentials (AWS_IAM authorization), not Cognito users.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account role uses AmazonAPIGatewayPushToCloudWatchLogs, the managed policy made for exactly this.",
    });
    new CfnOutput(this, 'Url', { value: this.api.url, description: 'Base URL of the archiver API (IAM-signed requests only)' });
  }
}
