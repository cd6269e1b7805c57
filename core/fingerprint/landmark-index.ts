/**
 * The inverted index of landmark hashes over a catalogue (A. Wang, "An Industrial-Strength Audio
 * Search Algorithm", ISMIR 2003, §2.3): for every hash value, the (track, anchor time) pairs that
 * carry it. Stored compactly: the distinct hash values in ascending order, where each one's
 * postings start, and the postings' track slots and times. Looking a hash up is a binary search.
 *
 * Serialised (see {@link LandmarkIndex.toBytes}) as little-endian uint32 words: magic
 * `0x53464958` ("SFIX"), fingerprint version, track count, distinct-hash count K, posting count N,
 * then track ids (track count), keys (K), starts (K + 1), posting slots (N), posting times (N).
 *
 * @module
 */

import type { Landmarks } from './hashes.js';

const MAGIC = 0x53464958;
const HEADER_WORDS = 5;

/** One track's landmarks, as the index is built from them. */
export interface TrackLandmarks extends Landmarks {
  /** Catalogue track id. */
  readonly trackId: number;
}

/** Posting lists of one hash: indexes `[start, end)` into the posting arrays. */
export interface PostingRange {
  readonly start: number;
  readonly end: number;
}

/** The inverted index. Immutable once built. */
export class LandmarkIndex {
  /** Track id of each slot. */
  readonly trackIds: Uint32Array;
  /** Distinct hashes, ascending. */
  readonly keys: Uint32Array;
  /** Postings of `keys[i]` are `[starts[i], starts[i + 1])`. */
  readonly starts: Uint32Array;
  /** Track slot of each posting. */
  readonly slots: Uint32Array;
  /** Anchor frame of each posting. */
  readonly times: Uint32Array;
  /** Fingerprint version the hashes were made with. */
  readonly version: number;

  private constructor(
    version: number,
    trackIds: Uint32Array,
    keys: Uint32Array,
    starts: Uint32Array,
    slots: Uint32Array,
    times: Uint32Array,
  ) {
    this.version = version;
    this.trackIds = trackIds;
    this.keys = keys;
    this.starts = starts;
    this.slots = slots;
    this.times = times;
  }

  /** Number of tracks indexed. */
  get trackCount(): number {
    return this.trackIds.length;
  }

  /** Number of postings (hashes over all tracks). */
  get size(): number {
    return this.slots.length;
  }

  /**
   * Builds the index (a counting sort by hash, O(postings + distinct hashes)).
   *
   * @param tracks - each track's landmarks (track ids must be distinct)
   * @param version - fingerprint version of the hashes
   */
  static build(tracks: readonly TrackLandmarks[], version: number): LandmarkIndex {
    const total = tracks.reduce((n, t) => n + t.hashes.length, 0);
    const all = new Uint32Array(total);
    let at = 0;
    for (const t of tracks) {
      all.set(t.hashes, at);
      at += t.hashes.length;
    }
    const sorted = all.slice().sort();
    let distinct = 0;
    for (let i = 0; i < total; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    const keys = new Uint32Array(distinct);
    const starts = new Uint32Array(distinct + 1);
    let k = -1;
    for (let i = 0; i < total; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) {
        k++;
        keys[k] = sorted[i]!;
        starts[k] = i;
      }
    }
    starts[distinct] = total;
    const fill = starts.slice(0, distinct);
    const slots = new Uint32Array(total);
    const times = new Uint32Array(total);
    const index = new LandmarkIndex(
      version,
      Uint32Array.from(tracks.map((t) => t.trackId)),
      keys,
      starts,
      slots,
      times,
    );
    tracks.forEach((t, slot) => {
      for (let i = 0; i < t.hashes.length; i++) {
        const key = index.#find(t.hashes[i]!);
        const p = fill[key]!++;
        slots[p] = slot;
        times[p] = t.times[i]!;
      }
    });
    return index;
  }

  /** Postings of `hash`, or undefined when no track has it. */
  lookup(hash: number): PostingRange | undefined {
    const k = this.#find(hash);
    return k < 0 ? undefined : { start: this.starts[k]!, end: this.starts[k + 1]! };
  }

  /** Index of `hash` in `keys`, or −1. */
  #find(hash: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = keys[mid]!;
      if (v < hash) lo = mid + 1;
      else if (v > hash) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The index as bytes (layout in the module comment). */
  toBytes(): Uint8Array {
    const words =
      HEADER_WORDS +
      this.trackIds.length +
      this.keys.length +
      this.starts.length +
      2 * this.slots.length;
    const out = new Uint8Array(words * 4);
    const view = new DataView(out.buffer);
    let w = 0;
    const put = (v: number) => {
      view.setUint32(4 * w++, v, true);
    };
    for (const v of [MAGIC, this.version, this.trackIds.length, this.keys.length, this.size])
      put(v);
    for (const a of [this.trackIds, this.keys, this.starts, this.slots, this.times])
      for (const v of a) put(v);
    return out;
  }

  /**
   * Reads an index written by {@link toBytes}.
   *
   * @throws Error when the bytes are not such an index (wrong magic, truncated, inconsistent)
   */
  static fromBytes(bytes: Uint8Array): LandmarkIndex {
    if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteLength % 4 !== 0)
      throw new Error('not a landmark index');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let w = 0;
    const get = () => view.getUint32(4 * w++, true);
    const [magic, version, tracks, distinct, total] = [get(), get(), get(), get(), get()];
    if (magic !== MAGIC) throw new Error('not a landmark index');
    const words = HEADER_WORDS + tracks + distinct + distinct + 1 + 2 * total;
    if (bytes.byteLength !== words * 4) throw new Error('landmark index truncated');
    const take = (n: number) => {
      const a = new Uint32Array(n);
      for (let i = 0; i < n; i++) a[i] = get();
      return a;
    };
    const index = new LandmarkIndex(
      version as number,
      take(tracks as number),
      take(distinct as number),
      take((distinct as number) + 1),
      take(total as number),
      take(total as number),
    );
    if (index.starts[distinct as number] !== total) throw new Error('landmark index inconsistent');
    return index;
  }
}
