/**
 * A bounded, time-limited set of keys, for answering each Slack upload once: Slack delivers the
 * same file as a `message` (file_share), an `app_mention` and a `file_shared` event, and retries
 * events it thinks were not acknowledged.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  /**
   * @param ttlMs - how long a key is remembered (milliseconds)
   * @param maxKeys - at most this many keys are kept; the oldest go first
   * @param now - clock in milliseconds (tests pass a fake)
   */
  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Remembers `key`.
   *
   * @returns true the first time a key is seen within the time limit, false after that
   */
  claim(key: string): boolean {
    const t = this.now();
    for (const [k, expires] of this.seen) {
      if (expires > t && this.seen.size <= this.maxKeys) break;
      this.seen.delete(k);
    }
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > t) return false;
    this.seen.delete(key);
    this.seen.set(key, t + this.ttlMs);
    return true;
  }

  /** True when `key` was claimed within the time limit (does not claim it). */
  has(key: string): boolean {
    const expires = this.seen.get(key);
    return expires !== undefined && expires > this.now();
  }

  /** Forgets `key` (an upload that was not handled after all). */
  release(key: string): void {
    this.seen.delete(key);
  }
}
