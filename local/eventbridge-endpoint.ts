import { randomUUID } from 'node:crypto';
import { type AwsJsonEndpoint, startAwsJsonEndpoint } from './aws-json-endpoint.ts';

export interface PutEvent {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
}

/**
 * EventBridge's PutEvents, over HTTP as the real client speaks it (selected with
 * AWS_ENDPOINT_URL_EVENTBRIDGE), keeping what the function published.
 */
export class EventBridgeEndpoint {
  readonly events: PutEvent[] = [];
  #endpoint: AwsJsonEndpoint | undefined;

  get url(): string {
    return this.#endpoint!.url;
  }

  static async start(): Promise<EventBridgeEndpoint> {
    const endpoint = new EventBridgeEndpoint();
    endpoint.#endpoint = await startAwsJsonEndpoint('AWSEvents.PutEvents', (input) => {
      const entries = Array.isArray(input.Entries) ? (input.Entries as PutEvent[]) : [];
      endpoint.events.push(...entries);
      return { status: 200, body: { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) } };
    });
    return endpoint;
  }

  close(): Promise<void> {
    return this.#endpoint!.close();
  }
}
