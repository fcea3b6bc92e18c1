// The bundle-size and cold-init floor: only what any relay of this kind must carry, the same AWS
// SDK clients (S3, Secrets Manager, Lambda, EventBridge, SQS) and got, imported and constructed at
// module scope, and a handler that calls them.

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import got from 'got';

const s3 = new S3Client({});
const secrets = new SecretsManagerClient({});
const lambda = new LambdaClient({});
const events = new EventBridgeClient({});
// The deliveries queue (ARCHIVE_QUEUE_URL): the contract's hand-offs and continuations go through it.
const sqs = new SQSClient({});

export async function handler(event: { jobId: string }) {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.ISC_SECRET_ID }));
  const { baseUrl } = JSON.parse(secret.SecretString ?? '{}') as { baseUrl: string };
  const status = await got(`${baseUrl}/beta/sp-config/import/${event.jobId}`).json();
  const body = await got(`${baseUrl}/beta/sp-config/import/${event.jobId}/download`).buffer();
  await s3.send(new PutObjectCommand({ Bucket: process.env.ARCHIVE_BUCKET, Key: event.jobId, Body: body }));
  await s3.send(new PutObjectCommand({ Bucket: process.env.ARCHIVE_BUCKET, Key: `${event.jobId}.json`, Body: JSON.stringify(status) }));
  await s3.send(new GetObjectCommand({ Bucket: process.env.ARCHIVE_BUCKET, Key: `${event.jobId}.json` }));
  await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));
  await events.send(new PutEventsCommand({ Entries: [] }));
  await sqs.send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: event.jobId }));
  return status;
}
