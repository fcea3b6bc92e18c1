import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../../lambda/isc/token-cache.ts';

function issuer(expiresIn = 749) {
  let n = 0;
  const calls: number[] = [];
  return {
    calls,
    fetch: async () => {
      calls.push(n);
      await new Promise((r) => setTimeout(r, 5));
      return { accessToken: `token-${++n}`, expiresIn };
    },
  };
}

describe('TokenCache', () => {
  it('makes one token request for many concurrent callers', async () => {
    const source = issuer();
    const cache = new TokenCache(source.fetch);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(source.calls).toHaveLength(1);
  });

  it('reuses the token until a minute before it expires, then fetches a new one', async () => {
    let now = 0;
    const source = issuer(749);
    const cache = new TokenCache(source.fetch, () => now);
    expect(await cache.get()).toBe('token-1');
    now = (749 - 61) * 1000;
    expect(await cache.get()).toBe('token-1');
    now = (749 - 59) * 1000;
    expect(await cache.get()).toBe('token-2');
  });

  it('refreshes short-lived tokens at 90% of their life', async () => {
    let now = 0;
    const cache = new TokenCache(issuer(100).fetch, () => now);
    await cache.get();
    now = 89_000;
    expect(await cache.get()).toBe('token-1');
    now = 91_000;
    expect(await cache.get()).toBe('token-2');
  });

  it('drops a refused token only if it is still the cached one', async () => {
    const cache = new TokenCache(issuer().fetch);
    const first = await cache.get();
    cache.invalidate(first);
    const second = await cache.get();
    expect(second).toBe('token-2');
    cache.invalidate(first);
    expect(await cache.get()).toBe('token-2');
  });

  it('lets the next caller try again after a failed token request', async () => {
    let fail = true;
    const cache = new TokenCache(async () => {
      if (fail) throw new Error('boom');
      return { accessToken: 'ok', expiresIn: 600 };
    });
    await expect(cache.get()).rejects.toThrow('boom');
    fail = false;
    expect(await cache.get()).toBe('ok');
  });
});
