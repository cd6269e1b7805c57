/**
 * Per-user rate limit as a token bucket (the classic traffic-shaping algorithm): each user has a
 * bucket of `capacity` tokens refilled at `capacity / perS` tokens per second; a clip takes one
 * token; an empty bucket answers how long until the next token. Buckets live in memory, bounded in
 * number (full buckets are forgotten first, then the least recently used).
 */

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Burst size: clips a user may send at once (integer ≥ 1, default 6). */
  readonly capacity?: number | undefined;
  /** Seconds to refill a whole bucket (> 0, default 60): 6 per 60 s = one clip per 10 s sustained. */
  readonly perS?: number | undefined;
  /** Buckets kept (default 10,000). */
  readonly maxKeys?: number | undefined;
  /** Clock in milliseconds (default `performance.now`); tests pass a fake. */
  readonly now?: (() => number) | undefined;
}

/** The outcome of {@link RateLimiter.take}. */
export type RateDecision =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Seconds until a token is available (> 0). */
      readonly retryAfterS: number;
    };

interface Bucket {
  tokens: number;
  /** Clock reading of the last refill, ms. */
  at: number;
}

/** Token buckets keyed by user. */
export class RateLimiter {
  readonly capacity: number;
  readonly perS: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @param options - bucket size, refill time, number of buckets and clock
   * @throws RangeError when `capacity` < 1 or `perS` ≤ 0
   */
  constructor(options: RateLimiterOptions = {}) {
    this.capacity = options.capacity ?? 6;
    this.perS = options.perS ?? 60;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
    if (!(this.capacity >= 1)) throw new RangeError(`capacity must be ≥ 1, got ${this.capacity}`);
    if (!(this.perS > 0)) throw new RangeError(`perS must be > 0, got ${this.perS}`);
  }

  /** Tokens per millisecond. */
  get #rate(): number {
    return this.capacity / (this.perS * 1000);
  }

  /** The key's bucket, refilled to now (and moved to most recently used). */
  #bucket(key: string): Bucket {
    const now = this.#now();
    const found = this.#buckets.get(key);
    const bucket = found ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.#rate);
    bucket.at = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (!found) this.#evict();
    return bucket;
  }

  /**
   * Takes one token from `key`'s bucket.
   *
   * @param key - who is sending, e.g. "telegram:12345"
   * @returns ok, or how many seconds until the next token
   */
  take(key: string): RateDecision {
    const bucket = this.#bucket(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: (1 - bucket.tokens) / this.#rate / 1000 };
  }

  /**
   * Gives a token back (the clip was not served, e.g. the queue was full). Never above capacity.
   *
   * @param key - as passed to {@link take}
   */
  refund(key: string): void {
    const bucket = this.#bucket(key);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + 1);
  }

  /** Number of buckets held. */
  get size(): number {
    return this.#buckets.size;
  }

  #evict(): void {
    if (this.#buckets.size <= this.#maxKeys) return;
    const now = this.#now();
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#rate >= this.capacity) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}
