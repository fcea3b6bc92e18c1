import { ConfigurationError } from '../core/errors.ts';

export interface IscCredentials {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Validates the secret's JSON. Messages name the field that is wrong and never echo a value: the
 * secret string is credentials, and a parse error's message would quote it.
 */
export function parseCredentials(secretString: string | undefined, source: string): IscCredentials {
  if (secretString === undefined || secretString.trim() === '') {
    throw new ConfigurationError(`The ISC credentials in ${source} are empty.`, 'secret');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(secretString);
  } catch {
    throw new ConfigurationError(
      `The ISC credentials in ${source} are not valid JSON (expected {"baseUrl", "clientId", "clientSecret"}).`,
      'secret',
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigurationError(`The ISC credentials in ${source} must be a JSON object.`, 'secret');
  }
  const fields = raw as Record<string, unknown>;
  const text = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ConfigurationError(`The ISC credentials in ${source} lack "${name}".`, 'secret');
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new ConfigurationError(`"${name}" in the ISC credentials of ${source} must be a string.`, 'secret');
    }
    return value.trim();
  };

  const baseUrl = httpsUrl(text('baseUrl', true)!, 'baseUrl', source);
  const clientId = text('clientId', true)!;
  const clientSecret = text('clientSecret', true)!;
  const tokenUrl = httpsUrl(text('tokenUrl', false) ?? `${baseUrl}/oauth/token`, 'tokenUrl', source);
  const tenant = text('tenant', false) ?? new URL(baseUrl).hostname.split('.')[0]!;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(tenant)) {
    throw new ConfigurationError(`"tenant" in the ISC credentials of ${source} must be a plain name (letters, digits, - or _).`, 'secret');
  }
  return Object.freeze({ baseUrl, tokenUrl, tenant, clientId, clientSecret });
}

// Plain http is allowed only for loopback, where the local ISC double runs.
function httpsUrl(value: string, field: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`"${field}" in the ISC credentials of ${source} is not a URL.`, 'secret');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigurationError(`"${field}" in the ISC credentials of ${source} must be an https URL.`, 'secret');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(`"${field}" in the ISC credentials of ${source} must not carry credentials, a query or a fragment.`, 'secret');
  }
  return url.href.replace(/\/+$/, '');
}
