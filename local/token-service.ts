import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ApiClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

interface Grant {
  readonly clientId: string;
  readonly scopes: readonly string[];
  expiresAt: number;
}

/** ISC's client-credentials token endpoint: JWT-shaped opaque tokens that expire. */
export class TokenService {
  /** Every token issued, so tests can look for them in output that must not contain them. */
  readonly issued: string[] = [];
  readonly #grants = new Map<string, Grant>();
  readonly #clients: readonly ApiClient[];
  readonly #ttlSeconds: number;
  readonly #tenant: string;

  constructor(options: { clients: readonly ApiClient[]; ttlSeconds: number; tenant: string }) {
    this.#clients = options.clients;
    this.#ttlSeconds = options.ttlSeconds;
    this.#tenant = options.tenant;
  }

  /** Answers a token request's fields (from a form, a multipart form or the query) as ISC does. */
  issue(fields: ReadonlyMap<string, string>): { status: number; clientId: string | undefined; body: unknown } {
    const client = this.#clients.find((c) => c.clientId === fields.get('client_id'));
    if (fields.get('grant_type') !== 'client_credentials' || !client || client.clientSecret !== fields.get('client_secret')) {
      return { status: 401, clientId: fields.get('client_id'), body: { error: 'invalid_client', error_description: 'Bad credentials' } };
    }
    const accessToken = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ tenant_id: this.#tenant, client_id: client.clientId, jti: randomUUID() })}.${randomBytes(24).toString('base64url')}`;
    this.#grants.set(accessToken, { clientId: client.clientId, scopes: client.scopes, expiresAt: Date.now() + this.#ttlSeconds * 1000 });
    this.issued.push(accessToken);
    return {
      status: 200,
      clientId: client.clientId,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: this.#ttlSeconds,
        scope: client.scopes.join(' '),
        tenant_id: randomUUID(),
        internal: true,
        pod: 'stg01-useast1',
        strong_auth_supported: false,
        org: this.#tenant,
        claims_supported: false,
        identity_id: randomUUID().replace(/-/g, ''),
        strong_auth: false,
        jti: randomUUID(),
      },
    };
  }

  /** The grant behind an Authorization header; `expired` when its time is up. */
  check(authorization: string | undefined): { grant: Grant | undefined; expired: boolean } {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const grant = token ? this.#grants.get(token) : undefined;
    return { grant, expired: grant !== undefined && grant.expiresAt <= Date.now() };
  }

  expire(grant: Grant): void {
    grant.expiresAt = 0;
  }

  expireAll(): void {
    for (const grant of this.#grants.values()) grant.expiresAt = 0;
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The fields of a token request: ISC accepts a url-encoded form, a multipart form or query parameters. */
export async function tokenRequestFields(req: IncomingMessage, url: URL): Promise<Map<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const fields = new Map<string, string>(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (body.length && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
    const form = await new Request('http://double/oauth/token', { method: 'POST', headers: { 'content-type': type }, body }).formData();
    for (const [key, value] of form) if (typeof value === 'string') fields.set(key, value);
  }
  return fields;
}
