import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambda/contract/config.ts';
import { ARCHIVER } from '../../../lambda/contract/version.ts';
import { ConfigurationError } from '../../../lambda/core/errors.ts';
import { parseCredentials } from '../../../lambda/isc/credentials.ts';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig({ ARCHIVE_BUCKET: 'my-archive', ISC_SECRET_ID: 'isc/creds' });
    expect(config).toMatchObject({
      bucket: 'my-archive',
      prefix: 'sp-config/',
      apiVersion: 'beta',
      archiveBackup: true,
      secretId: 'isc/creds',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{}, /ARCHIVE_BUCKET is not set/],
    [{ ARCHIVE_BUCKET: 'Bad_Bucket' }, /ARCHIVE_BUCKET is not a valid/],
    [{ ARCHIVE_BUCKET: 'b-1', ARCHIVE_PREFIX: 'no-slash' }, /ARCHIVE_PREFIX/],
    [{ ARCHIVE_BUCKET: 'b-1', ARCHIVE_PREFIX: '../up/' }, /ARCHIVE_PREFIX/],
    [{ ARCHIVE_BUCKET: 'b-1', ISC_API_VERSION: 'v3' }, /ISC_API_VERSION must be one of beta, v2024, v2025, v2026, v1/],
    [{ ARCHIVE_BUCKET: 'b-1', ARCHIVE_BACKUP: 'yes' }, /ARCHIVE_BACKUP/],
    [{ ARCHIVE_BUCKET: 'b-1', AWS_LAMBDA_FUNCTION_NAME: 'f' }, /ISC_SECRET_ID is not set/],
  ])('names the variable that is wrong: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts an empty prefix and every API family', () => {
    for (const v of ['beta', 'v2024', 'v2025', 'v2026', 'v1']) {
      expect(loadConfig({ ARCHIVE_BUCKET: 'b-1', ARCHIVE_PREFIX: '', ISC_API_VERSION: v }).apiVersion).toBe(v);
    }
  });
});

describe('parseCredentials', () => {
  const secret = 'S3cr3t-value-never-shown';
  it('derives the token URL and tenant from the base URL', () => {
    const creds = parseCredentials(
      JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com/', clientId: 'id', clientSecret: secret }),
      'test',
    );
    expect(creds).toEqual({
      baseUrl: 'https://acme.api.identitynow.com',
      tokenUrl: 'https://acme.api.identitynow.com/oauth/token',
      tenant: 'acme',
      clientId: 'id',
      clientSecret: secret,
    });
  });

  it('honours an explicit tokenUrl and tenant (vanity hosts)', () => {
    const creds = parseCredentials(
      JSON.stringify({
        baseUrl: 'https://iam.example.com',
        tokenUrl: 'https://iam.example.com/oauth/token',
        tenant: 'example-prod',
        clientId: 'id',
        clientSecret: secret,
      }),
      'test',
    );
    expect(creds).toMatchObject({ tenant: 'example-prod', tokenUrl: 'https://iam.example.com/oauth/token' });
  });

  it.each([
    [undefined, /are empty/],
    [`{"clientSecret": "${secret}"`, /not valid JSON/],
    [JSON.stringify({ clientId: 'id', clientSecret: secret }), /lack "baseUrl"/],
    [JSON.stringify({ baseUrl: 'https://a.api.identitynow.com', clientSecret: secret }), /lack "clientId"/],
    [JSON.stringify({ baseUrl: 'https://a.api.identitynow.com', clientId: 'id' }), /lack "clientSecret"/],
    [JSON.stringify({ baseUrl: 'http://a.api.identitynow.com', clientId: 'id', clientSecret: secret }), /must be an https URL/],
    [JSON.stringify({ baseUrl: 'https://a.api.identitynow.com', clientId: 'id', clientSecret: 42 }), /must be a string/],
    [JSON.stringify({ baseUrl: 'https://a.api.identitynow.com', clientId: 'id', clientSecret: secret, tenant: '../x' }), /plain name/],
  ])('refuses %j naming the field, never the value', (value, message) => {
    try {
      parseCredentials(value, 'secret isc/creds');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });
});

describe('version', () => {
  it('matches package.json', () => {
    expect(ARCHIVER.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
