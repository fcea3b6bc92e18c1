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

/**
 * True for hosts that never leave the machine: 127.0.0.0/8, ::1 and localhost. Only configured URLs
 * get this exception (the local ISC double runs there); a redirect's target never does.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '[::1]') return true;
  // WHATWG URL parsing has already turned 127.1 or 0x7f.1 into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// Plain http is allowed only for loopback, where the local ISC double runs: the client secret and
// tokens travel in these requests.
function httpsUrl(value: string, field: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`"${field}" in the ISC credentials of ${source} is not a URL.`, 'secret');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigurationError(
      `"${field}" in the ISC credentials of ${source} must be an https URL (plain http only on a loopback host).`,
      'secret',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(
      `"${field}" in the ISC credentials of ${source} must not carry credentials, a query or a fragment.`,
      'secret',
    );
  }
  return url.href.replace(/\/+$/, '');
}
