import { createHash, randomUUID } from 'node:crypto';
import { type AwsJsonEndpoint, startAwsJsonEndpoint } from '../../local/aws-json-endpoint.ts';

export interface SentMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
}

/**
 * SQS's SendMessage over HTTP as the real client speaks it (AWS JSON, `AmazonSQS.SendMessage`),
 * keeping what was sent. The client sends to the queue URL's own origin, so ARCHIVE_QUEUE_URL
 * pointing here is all it takes; the answer carries the body's MD5, which the client checks.
 */
export class SqsEndpoint {
  readonly sent: SentMessage[] = [];
  #endpoint: AwsJsonEndpoint | undefined;

  /** A queue URL served here. */
  get queueUrl(): string {
    return `${this.#endpoint!.url}/000000000000/isc-import-archiver-deliveries`;
  }

  static async start(): Promise<SqsEndpoint> {
    const sqs = new SqsEndpoint();
    sqs.#endpoint = await startAwsJsonEndpoint('AmazonSQS.SendMessage', (input) => {
      const message = input as unknown as SentMessage;
      sqs.sent.push(message);
      return {
        status: 200,
        body: {
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5')
            .update(message.MessageBody ?? '')
            .digest('hex'),
        },
      };
    });
    return sqs;
  }

  close(): Promise<void> {
    return this.#endpoint!.close();
  }
}
