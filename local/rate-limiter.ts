/** ISC's limit: so many requests per key (client id and API version) per fixed window. */
export class FixedWindowLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts a request; returns the Retry-After seconds when over the limit, else undefined. */
  take(key: string, now = Date.now()): number | undefined {
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) this.#windows.set(key, (window = { start: now, count: 0 }));
    if (window.count >= this.#limit) return Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000));
    window.count++;
    return undefined;
  }
}
