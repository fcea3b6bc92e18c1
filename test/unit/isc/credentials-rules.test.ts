import { describe, expect, it } from 'vitest';
import { parseCredentials } from '../../../lambda/isc/credentials.ts';
import { environmentSource } from '../../../lambda/isc/secret-source.ts';

const SOURCE = 'secret isc/creds';
const BASE = 'https://acme.api.identitynow.com';
const withFields = (fields: Record<string, unknown>) =>
  JSON.stringify({ baseUrl: BASE, clientId: 'id', clientSecret: 'shh-secret', ...fields });

function refusal(secretString: string | undefined): unknown {
  try {
    parseCredentials(secretString, SOURCE);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseCredentials, field by field', () => {
  it('trims every field and freezes the result', () => {
    const creds = parseCredentials(
      withFields({
        baseUrl: ` ${BASE}// `,
        clientId: ' id ',
        clientSecret: ' s ',
        tokenUrl: ' https://login.example.com/oauth/token ',
        tenant: ' acme-2 ',
      }),
      SOURCE,
    );
    expect(creds).toEqual({
      baseUrl: BASE,
      tokenUrl: 'https://login.example.com/oauth/token',
      tenant: 'acme-2',
      clientId: 'id',
      clientSecret: 's',
    });
    expect(Object.isFrozen(creds)).toBe(true);
  });

  it('keeps a base path, without its trailing slashes', () => {
    expect(parseCredentials(withFields({ baseUrl: `${BASE}/isc/` }), SOURCE)).toMatchObject({
      baseUrl: `${BASE}/isc`,
      tokenUrl: `${BASE}/isc/oauth/token`,
    });
  });

  it.each([null, ''])('treats an optional field set to %j as unset', (empty) => {
    expect(parseCredentials(withFields({ tokenUrl: empty, tenant: empty }), SOURCE)).toMatchObject({
      tokenUrl: `${BASE}/oauth/token`,
      tenant: 'acme',
    });
  });

  it.each([
    [undefined, 'The ISC credentials in secret isc/creds are empty.'],
    ['  ', 'The ISC credentials in secret isc/creds are empty.'],
    [
      '{"clientSecret": "shh-secret"',
      'The ISC credentials in secret isc/creds are not valid JSON (expected {"baseUrl", "clientId", "clientSecret"}).',
    ],
    ['"shh-secret"', 'The ISC credentials in secret isc/creds must be a JSON object.'],
    ['null', 'The ISC credentials in secret isc/creds must be a JSON object.'],
    ['["shh-secret"]', 'The ISC credentials in secret isc/creds must be a JSON object.'],
    [withFields({ baseUrl: undefined }), 'The ISC credentials in secret isc/creds lack "baseUrl".'],
    [withFields({ clientId: '' }), 'The ISC credentials in secret isc/creds lack "clientId".'],
    [withFields({ clientSecret: null }), 'The ISC credentials in secret isc/creds lack "clientSecret".'],
    [withFields({ clientSecret: 42 }), '"clientSecret" in the ISC credentials of secret isc/creds must be a string.'],
    [withFields({ tenant: ['acme'] }), '"tenant" in the ISC credentials of secret isc/creds must be a string.'],
    [withFields({ baseUrl: 'acme.api.identitynow.com' }), '"baseUrl" in the ISC credentials of secret isc/creds is not a URL.'],
    [withFields({ tokenUrl: '/oauth/token' }), '"tokenUrl" in the ISC credentials of secret isc/creds is not a URL.'],
    [
      withFields({ baseUrl: 'https://user:pw@acme.example.com' }),
      '"baseUrl" in the ISC credentials of secret isc/creds must not carry credentials, a query or a fragment.',
    ],
    [
      withFields({ baseUrl: 'https://user@acme.example.com' }),
      '"baseUrl" in the ISC credentials of secret isc/creds must not carry credentials, a query or a fragment.',
    ],
    [
      withFields({ baseUrl: 'https://:pw@acme.example.com' }),
      '"baseUrl" in the ISC credentials of secret isc/creds must not carry credentials, a query or a fragment.',
    ],
    [
      withFields({ tokenUrl: `${BASE}/oauth/token?x=1` }),
      '"tokenUrl" in the ISC credentials of secret isc/creds must not carry credentials, a query or a fragment.',
    ],
    [
      withFields({ baseUrl: `${BASE}#f` }),
      '"baseUrl" in the ISC credentials of secret isc/creds must not carry credentials, a query or a fragment.',
    ],
    [withFields({ tenant: 'a/b' }), '"tenant" in the ISC credentials of secret isc/creds must be a plain name (letters, digits, - or _).'],
    [
      withFields({ tenant: '-acme' }),
      '"tenant" in the ISC credentials of secret isc/creds must be a plain name (letters, digits, - or _).',
    ],
    [
      withFields({ tenant: `a${'b'.repeat(63)}` }),
      '"tenant" in the ISC credentials of secret isc/creds must be a plain name (letters, digits, - or _).',
    ],
  ])('refuses %j with: %s', (secretString, message) => {
    const error = refusal(secretString);
    expect(error).toMatchObject({ name: 'Permanent.Configuration', code: 'Configuration', phase: 'secret', retryable: false, message });
    expect((error as Error).message).not.toContain('shh-secret');
  });

  it('accepts a 63-character tenant', () => {
    expect(parseCredentials(withFields({ tenant: `a${'b'.repeat(62)}` }), SOURCE).tenant).toHaveLength(63);
  });
});

describe('environmentSource', () => {
  it('reads the SAIL_* variables', async () => {
    const source = environmentSource({
      SAIL_BASE_URL: BASE,
      SAIL_CLIENT_ID: 'id',
      SAIL_CLIENT_SECRET: 's',
      SAIL_TOKEN_URL: 'https://login.example.com/token',
      SAIL_TENANT: 'other',
    });
    await expect(source.get()).resolves.toEqual({
      baseUrl: BASE,
      tokenUrl: 'https://login.example.com/token',
      tenant: 'other',
      clientId: 'id',
      clientSecret: 's',
    });
  });

  it('names the variables when one is missing', () => {
    expect(() => environmentSource({ SAIL_BASE_URL: BASE, SAIL_CLIENT_ID: 'id' })).toThrow(
      'The ISC credentials in the SAIL_* environment variables lack "clientSecret".',
    );
  });
});
