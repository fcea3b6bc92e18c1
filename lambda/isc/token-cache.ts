import { untilAborted } from './time-limit.ts';

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds, as `expires_in` said. */
  readonly expiresIn: number;
}

/**
 * Caches one access token until shortly before it expires. Concurrent callers share one token
 * request; `invalidate` drops a token ISC refused so the next `get` fetches a new one, but only
 * if nobody has replaced it already. A caller's signal bounds its own wait; the request itself is
 * bounded by the signal of the caller that started it.
 */
export class TokenCache {
  #token: { value: string; refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;
  readonly #fetch: (signal: AbortSignal | undefined) => Promise<IssuedToken>;
  readonly #now: () => number;

  constructor(fetch: (signal: AbortSignal | undefined) => Promise<IssuedToken>, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  get(signal?: AbortSignal): Promise<string> {
    if (this.#token && this.#now() < this.#token.refreshAt) return Promise.resolve(this.#token.value);
    this.#pending ??= this.#issue(signal).finally(() => {
      this.#pending = undefined;
    });
    return untilAborted(this.#pending, signal);
  }

  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  async #issue(signal: AbortSignal | undefined): Promise<string> {
    const issued = await this.#fetch(signal);
    const lifetimeMs = Math.max(0, issued.expiresIn) * 1000;
    // Refresh a minute early (or at 90% of a short lifetime) so no request leaves with a token
    // that expires on the way.
    const early = Math.min(60_000, lifetimeMs * 0.1);
    this.#token = { value: issued.accessToken, refreshAt: this.#now() + lifetimeMs - early };
    return issued.accessToken;
  }
}
