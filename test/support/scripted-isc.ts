import type { IncomingMessage, ServerResponse } from 'node:http';
import got from 'got';
import type { Deadline } from '../../lambda/core/deadline.ts';
import type { Log } from '../../lambda/core/log.ts';
import type { IscCredentials } from '../../lambda/isc/credentials.ts';
import { createIscClient, type IscClient } from '../../lambda/isc/isc-client.ts';
import type { CredentialReadOptions } from '../../lambda/isc/secret-source.ts';
import { type SeenRequest, startServer, type TestServer, tokenAnswer } from './test-servers.ts';

/** How the stand-in answers one API request (the token endpoint answers by itself). */
export type Answer = (res: ServerResponse, seen: SeenRequest, req: IncomingMessage) => unknown;

export interface ScriptedIsc {
  readonly api: TestServer;
  readonly client: IscClient;
  /** The API requests, token requests left out. */
  calls(): SeenRequest[];
  /** The token requests. */
  tokenRequests(): SeenRequest[];
  /** What the client logged at info and warn level, message and fields. */
  readonly logged: { level: 'info' | 'warn'; message: string; fields: Record<string, unknown> | undefined }[];
}

/**
 * A local ISC whose API answers the n-th request with `answers[n]` (the last one again once they
 * run out), whose token endpoint issues token-1, token-2, ... and a client pointed at it with no
 * jitter. `credentials` may wrap the credential read (to slow it down, say).
 */
export async function scriptedIsc(
  answers: Answer[],
  credentials?: (read: () => IscCredentials, options: CredentialReadOptions | undefined) => Promise<IscCredentials>,
): Promise<ScriptedIsc> {
  let n = 0;
  let tokens = 0;
  const api = await startServer((req, res, seen) => {
    if (req.url === '/oauth/token') return tokenAnswer(res, `token-${++tokens}`);
    return answers[Math.min(n++, answers.length - 1)]!(res, seen, req);
  });
  const read = (): IscCredentials => ({
    baseUrl: api.url,
    tokenUrl: `${api.url}/oauth/token`,
    tenant: 'acme',
    clientId: 'client-id',
    clientSecret: 'client-secret',
  });
  const logged: ScriptedIsc['logged'] = [];
  const log: Log = {
    debug() {},
    error() {},
    info: (message: string, fields?: Record<string, unknown>) => logged.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: Record<string, unknown>) => logged.push({ level: 'warn', message, fields }),
  };
  const client = createIscClient({
    http: got,
    credentials: { get: async (options) => (credentials ? credentials(read, options) : read()) },
    log,
    random: () => 0,
  });
  return {
    api,
    client,
    calls: () => api.seen.filter((r) => r.url !== '/oauth/token'),
    tokenRequests: () => api.seen.filter((r) => r.url === '/oauth/token'),
    logged,
  };
}

/** A deadline with `ms` left on the wall clock (or as `remaining` says) whose sleeps return at once. */
export function instantDeadline(ms = 20_000, remaining?: () => number): Deadline & { slept: number[] } {
  const end = Date.now() + ms;
  const slept: number[] = [];
  return {
    slept,
    endsAt: () => end,
    remainingMs: remaining ?? (() => end - Date.now()),
    sleep: async (d: number) => (slept.push(d), true),
  };
}

/** Answers with a status and a JSON (or any) body. */
export const answer =
  (status: number, body: unknown = {}, headers: Record<string, string> = {}): Answer =>
  (res) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
