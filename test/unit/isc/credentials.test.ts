import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseCredentials } from '../../../lambda/isc/credentials.ts';

const secret = (fields: Record<string, unknown>) => JSON.stringify({ clientId: 'id', clientSecret: 'shh-secret', ...fields });
const parse = (fields: Record<string, unknown>) => parseCredentials(secret(fields), 'secret isc/creds');

describe('parseCredentials: where the credentials may go', () => {
  it('takes https URLs and derives the token URL and the tenant', () => {
    expect(parse({ baseUrl: 'https://acme.api.identitynow.com/' })).toMatchObject({
      baseUrl: 'https://acme.api.identitynow.com',
      tokenUrl: 'https://acme.api.identitynow.com/oauth/token',
      tenant: 'acme',
    });
  });

  it.each(['http://127.0.0.1:8080', 'http://127.8.9.10:1', 'http://localhost:3000', 'http://[::1]:3000', 'http://127.1:9'])(
    'allows plain http on the loopback host %s',
    (baseUrl) => {
      expect(parse({ baseUrl, tenant: 'acme' }).baseUrl).toMatch(/^http:\/\//);
    },
  );

  it.each([
    ['baseUrl', { baseUrl: 'http://acme.api.identitynow.com' }],
    ['baseUrl', { baseUrl: 'http://10.0.0.1' }],
    ['baseUrl', { baseUrl: 'http://127.0.0.1.evil.example' }],
    ['baseUrl', { baseUrl: 'ftp://acme.api.identitynow.com' }],
    ['tokenUrl', { baseUrl: 'https://acme.api.identitynow.com', tokenUrl: 'http://login.example.com/oauth/token' }],
    ['tokenUrl', { baseUrl: 'http://127.0.0.1:1', tokenUrl: 'http://login.example.com/oauth/token' }],
  ])('refuses a non-https %s, naming the field and no value', (field, fields) => {
    let error: unknown;
    try {
      parse(fields);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'Permanent.Configuration', phase: 'secret' });
    const message = (error as Error).message;
    expect(message).toContain(`"${field}"`);
    expect(message).toContain('https');
    expect(message).not.toContain('shh-secret');
    for (const value of Object.values(fields)) expect(message).not.toContain(value);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.example.com', false],
    ['[::2]', false],
    ['0.0.0.0', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
