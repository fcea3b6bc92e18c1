import { type AwsJsonEndpoint, startAwsJsonEndpoint } from './aws-json-endpoint.ts';

/**
 * The one Secrets Manager call the function makes (GetSecretValue), over HTTP as the real client
 * speaks it, selected with AWS_ENDPOINT_URL_SECRETS_MANAGER. No emulator installs on these machines.
 */
export class SecretsManagerDouble {
  readonly #secrets = new Map<string, string>();
  /** GetSecretValue calls received, by secret id. */
  readonly reads: string[] = [];
  #endpoint: AwsJsonEndpoint | undefined;

  get url(): string {
    return this.#endpoint!.url;
  }

  static async start(): Promise<SecretsManagerDouble> {
    const double = new SecretsManagerDouble();
    double.#endpoint = await startAwsJsonEndpoint('secretsmanager.GetSecretValue', (input) => {
      const id = typeof input.SecretId === 'string' ? input.SecretId : '';
      double.reads.push(id);
      const value = double.#secrets.get(id);
      if (value === undefined)
        return { status: 400, body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } };
      return {
        status: 200,
        body: {
          ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
          Name: id,
          SecretString: value,
          VersionId: 'v1',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        },
      };
    });
    return double;
  }

  setSecret(id: string, value: string): void {
    this.#secrets.set(id, value);
  }

  close(): Promise<void> {
    return this.#endpoint!.close();
  }
}
