import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/archiver-stack.ts';
import { ROUTES } from '../../lambda/contract/constants.ts';
import { synth } from './synth.ts';

const { template } = synth();

/** Each method as `VERB /path`, the path rebuilt from the resources' parents as a caller writes it. */
function routes(t: Template): Map<string, Record<string, any>> {
  const resources = t.findResources('AWS::ApiGateway::Resource');
  const path = (ref: { Ref?: string }): string => {
    const resource = ref.Ref ? resources[ref.Ref] : undefined;
    return resource ? `${path(resource.Properties.ParentId)}/${resource.Properties.PathPart}` : '';
  };
  const methods = Object.values(t.findResources('AWS::ApiGateway::Method'));
  return new Map(methods.map((m) => [`${m.Properties.HttpMethod} ${path(m.Properties.ResourceId)}`, m.Properties]));
}

const modelSchema = (method: Record<string, any>) => {
  const ref = method.RequestModels?.['application/json']?.Ref;
  return ref ? template.toJSON().Resources[ref].Properties.Schema : undefined;
};

describe('the API', () => {
  const methods = routes(template);

  it("serves exactly the contract's routes, each on its own resource", () => {
    const expected = Object.values(ROUTES).map((r) => `${r.method} /imports/{jobId}${r.path}`);
    expect([...methods.keys()].sort()).toEqual(expected.sort());
    expect(methods.has('POST /imports/{jobId}/rearchive')).toBe(true);
    expect(methods.has('POST /imports/{jobId}/restore/preview') && methods.has('POST /imports/{jobId}/restore/apply')).toBe(true);
  });

  it('authorises every method with IAM and refuses a request without a job id before the function runs', () => {
    for (const m of methods.values()) {
      expect(m).toMatchObject({
        AuthorizationType: 'AWS_IAM',
        RequestParameters: { 'method.request.path.jobId': true },
        RequestValidatorId: { Ref: expect.any(String) },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
  });

  it('checks restore bodies: apply needs a previewJobId string, preview takes an optional list of type names', () => {
    const apply = modelSchema(methods.get('POST /imports/{jobId}/restore/apply')!);
    expect(apply).toMatchObject({ type: 'object', required: ['previewJobId'], properties: { previewJobId: { type: 'string' } } });
    const preview = modelSchema(methods.get('POST /imports/{jobId}/restore/preview')!);
    expect(preview).toMatchObject({ type: 'object', properties: { types: { type: 'array', items: { type: 'string' } } } });
    expect(preview.required).toBeUndefined();
    for (const [route, m] of methods) if (!route.includes('/restore/')) expect(m.RequestModels).toBeUndefined();
  });

  it('answers a refused request in the same error envelope as the function', () => {
    for (const type of ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '400',
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"detailCode": "400.1 Bad Request Content"') },
      });
    }
  });

  it('logs access and execution to groups of its own with a retention, and throttles', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] } }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, LoggingLevel: 'ERROR' })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.anyValue() }, '/v1']] },
      RetentionInDays: 365,
    });
  });

  it('names its outputs so scripts can read them: ApiUrl, SecretArn, BucketName, FunctionName, FailedJobsQueueUrl', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(OUTPUTS).toEqual(['ApiUrl', 'SecretArn', 'BucketName', 'FunctionName', 'FailedJobsQueueUrl']);
    expect(JSON.stringify(outputs.ApiUrl!.Value)).toContain('execute-api');
    expect(outputs.SecretArn!.Value).toEqual({ Ref: expect.stringMatching(/IscCredentials/) });
    expect(outputs.BucketName!.Value).toEqual({ Ref: expect.stringMatching(/StorageBucket/) });
    expect(outputs.FunctionName!.Value).toEqual({ Ref: expect.stringMatching(/Function/) });
    expect(outputs.FailedJobsQueueUrl!.Value).toEqual({ Ref: expect.stringMatching(/FailedJobs/) });
  });
});
