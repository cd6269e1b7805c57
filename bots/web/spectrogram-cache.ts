/**
 * A small bounded cache of the spectrogram pictures of recent answers, so the page can show them
 * via `GET /api/answers/:answerId/spectrogram.png` instead of a megabyte of base64 in the JSON.
 * Each picture is bound to the session that asked for it.
 */

/**
 * Where the web chat keeps answers' pictures: this cache in memory (one instance), or Redis
 * (redis-spectrogram-store.ts) when several instances serve one page.
 */
export interface SpectrogramStore {
  /** Keeps `png` for `answerId`, fetchable by `session` only. Never throws. */
  put(answerId: string, session: string, png: Uint8Array): Promise<void>;
  /** The picture, or undefined when unknown, expired, or kept for another session. Never throws. */
  get(answerId: string, session: string | undefined): Promise<Uint8Array | undefined>;
}

/**
 * A {@link SpectrogramCache} as a {@link SpectrogramStore}.
 *
 * @param capacity - most pictures kept
 */
export function memorySpectrogramStore(capacity: number): SpectrogramStore {
  const cache = new SpectrogramCache(capacity);
  return {
    put: async (answerId, session, png) => cache.put(answerId, session, png),
    get: async (answerId, session) => cache.get(answerId, session),
  };
}

/** Least-recently-used cache of PNGs keyed by answer id. */
export class SpectrogramCache {
  readonly #entries = new Map<string, { readonly session: string; readonly png: Uint8Array }>();
  readonly #capacity: number;

  /** @param capacity - most pictures kept (at least 1); the oldest is dropped first */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Number of pictures held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Keeps a picture.
   *
   * @param answerId - the answer it belongs to
   * @param session - the session allowed to fetch it
   * @param png - the PNG bytes
   */
  put(answerId: string, session: string, png: Uint8Array): void {
    this.#entries.delete(answerId);
    this.#entries.set(answerId, { session, png });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  /**
   * Looks a picture up (and marks it recently used).
   *
   * @returns the PNG, or undefined when unknown, evicted, or kept for another session
   */
  get(answerId: string, session: string | undefined): Uint8Array | undefined {
    const entry = this.#entries.get(answerId);
    if (!entry || entry.session !== session) return undefined;
    this.#entries.delete(answerId);
    this.#entries.set(answerId, entry);
    return entry.png;
  }
}
