import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How ISC answers: JSON bodies, and its error envelope (ErrorResponseDto) for 4xx and 5xx. */

export function send(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, Buffer.from(JSON.stringify(body)));
}

export function sendRaw(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

const DETAIL_CODES: Record<number, string> = {
  400: '400.1 Bad Request Content',
  403: '403 Forbidden',
  404: '404 Not found',
  415: '415 Unsupported Media Type',
  500: '500.0 Internal Fault',
};

export const FORBIDDEN_TEXT = 'The server understood the request but refuses to authorize it.';

/** ISC's envelope; `causes` carry the details (one line per problem found in a request body). */
export function sendError(res: ServerResponse, status: number, text: string, causes: readonly string[] = [], detailCode?: string): void {
  const message = (t: string) => ({ locale: 'en-US', localeOrigin: 'DEFAULT', text: t });
  send(res, status, {
    detailCode: detailCode ?? DETAIL_CODES[status] ?? `${status} ${status >= 500 ? 'Internal Fault' : 'Error'}`,
    trackingId: randomBytes(16).toString('hex'),
    messages: [message(text)],
    causes: causes.map(message),
  });
}

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/** A small request body, whole (JSON payloads); refuses more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) {
      req.resume();
      throw new BodyTooLarge(`The request body is larger than ${limit} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads what is left of a request so the answer reaches a client still sending. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
}
