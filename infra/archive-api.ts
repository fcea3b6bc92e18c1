import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PRODUCT, ROUTES, type RouteName } from '../lambda/contract/constants.ts';
import { KEEP_DATA } from './retention.ts';

export interface ArchiveApiProps {
  readonly function: lambda.IFunction;
  /** Steady requests per second for the stage (default 5) and burst (default 10). */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  readonly logRetention?: logs.RetentionDays;
}

const STAGE = 'v1';
const JSON_TYPE = 'application/json';

/** Bodies API Gateway checks before the function runs; other routes take no body. */
const BODIES: Partial<Record<RouteName, apigateway.JsonSchema>> = {
  restorePreview: {
    // Optional body: API Gateway validates a missing body as `{}`, which this accepts.
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    type: apigateway.JsonSchemaType.OBJECT,
    properties: { types: { type: apigateway.JsonSchemaType.ARRAY, items: { type: apigateway.JsonSchemaType.STRING, minLength: 1 } } },
  },
  restoreApply: {
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    type: apigateway.JsonSchemaType.OBJECT,
    required: ['previewJobId'],
    properties: { previewJobId: { type: apigateway.JsonSchemaType.STRING, minLength: 1 } },
  },
};

/**
 * The contract's routes on a REST API that only IAM principals of the account can call. Each
 * route is its own resource, so a policy can grant `archive` or `restore/preview` without
 * `rearchive` or `restore/apply`.
 */
export class ArchiveApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly executionLogs: logs.LogGroup;
  readonly methods: Record<RouteName, apigateway.Method>;

  constructor(scope: Construct, id: string, props: ArchiveApiProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention, removalPolicy: KEEP_DATA });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: `${PRODUCT}: archive sp-config imports on demand, read their manifests and reports, restore them`,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: KEEP_DATA,
      deployOptions: {
        stageName: STAGE,
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
    // The stack names the URL `ApiUrl`; RestApi's own output would add a second one under a hashed name.
    this.api.node.tryRemoveChild('Endpoint');
    // API Gateway would create this group itself on first use, outside the stack and never expiring.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE}`,
      retention,
      removalPolicy: KEEP_DATA,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

    this.methods = this.addRoutes(new apigateway.LambdaIntegration(props.function));
    this.answerBadRequestsLikeTheFunction();

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Every method needs SigV4-signed IAM credentials of the account; stage throttling bounds abuse, so a WAF adds cost without protection.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are pipelines and operators with IAM credentials (AWS_IAM authorization), not Cognito users.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account role uses AmazonAPIGatewayPushToCloudWatchLogs, the managed policy made for exactly this.",
    });
  }

  /** One resource per route under `/imports/{jobId}`, each requiring the job id and, where it has one, a valid body. */
  private addRoutes(integration: apigateway.Integration): Record<RouteName, apigateway.Method> {
    const validator = this.api.addRequestValidator('RequestValidator', { validateRequestParameters: true, validateRequestBody: true });
    const job = this.api.root.addResource('imports').addResource('{jobId}');
    const methods = {} as Record<RouteName, apigateway.Method>;
    for (const [name, route] of Object.entries(ROUTES) as [RouteName, (typeof ROUTES)[RouteName]][]) {
      const body = BODIES[name];
      const model = body ? this.api.addModel(`${name}Body`, { contentType: JSON_TYPE, schema: body }) : undefined;
      methods[name] = job.resourceForPath(route.path.replace(/^\//, '')).addMethod(route.method, integration, {
        requestValidator: validator,
        requestParameters: { 'method.request.path.jobId': true },
        ...(model ? { requestModels: { [JSON_TYPE]: model } } : {}),
      });
    }
    return methods;
  }

  /** A request API Gateway refuses gets the same error envelope as one the function refuses (ISC's). */
  private answerBadRequestsLikeTheFunction(): void {
    const envelope = (text: string) =>
      `{"detailCode": "400.1 Bad Request Content", "trackingId": "$context.requestId", "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": ${text}}]}`;
    for (const [id, type] of [
      ['BadBody', apigateway.ResponseType.BAD_REQUEST_BODY],
      ['BadParameters', apigateway.ResponseType.BAD_REQUEST_PARAMETERS],
    ] as const) {
      this.api.addGatewayResponse(id, { type, statusCode: '400', templates: { [JSON_TYPE]: envelope('$context.error.messageString') } });
    }
  }
}
