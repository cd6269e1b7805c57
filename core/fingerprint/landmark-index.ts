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

import { HASH_BITS, type Landmarks } from './hashes.js';

const MAGIC = 0x53464958;
const HEADER_WORDS = 5;

/** Whether this machine stores uint32 little-endian (the file's byte order). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Byte-swaps a uint32. */
function swap32(v: number): number {
  return (
    (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0
  );
}

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
   * Builds the index by a counting sort over the 2^23 hash values: O(postings + 2^23), with one
   * temporary 32 MiB table. Hashes outside 23 bits (damaged input) are left out.
   *
   * @param tracks - each track's landmarks (track ids must be distinct)
   * @param version - fingerprint version of the hashes
   */
  static build(tracks: readonly TrackLandmarks[], version: number): LandmarkIndex {
    const space = 2 ** HASH_BITS;
    const counts = new Uint32Array(space + 1);
    for (const t of tracks) for (const h of t.hashes) if (h < space) counts[h + 1]!++;
    let distinct = 0;
    for (let h = 1; h <= space; h++) {
      if (counts[h]! > 0) distinct++;
      counts[h]! += counts[h - 1]!;
    }
    const total = counts[space]!;
    const keys = new Uint32Array(distinct);
    const starts = new Uint32Array(distinct + 1);
    let k = 0;
    for (let h = 0; h < space; h++) {
      if (counts[h + 1]! > counts[h]!) {
        keys[k] = h;
        starts[k] = counts[h]!;
        k++;
      }
    }
    starts[distinct] = total;
    // counts[h] is now the next free posting of hash h.
    const slots = new Uint32Array(total);
    const times = new Uint32Array(total);
    tracks.forEach((t, slot) => {
      for (let i = 0; i < t.hashes.length; i++) {
        const h = t.hashes[i]!;
        if (h >= space) continue;
        const p = counts[h]!++;
        slots[p] = slot;
        times[p] = t.times[i]!;
      }
    });
    return new LandmarkIndex(
      version,
      Uint32Array.from(tracks.map((t) => t.trackId)),
      keys,
      starts,
      slots,
      times,
    );
  }

  /** Postings of `hash`, or undefined when no track has it. */
  lookup(hash: number): PostingRange | undefined {
    const k = this.find(hash);
    return k < 0 ? undefined : { start: this.starts[k]!, end: this.starts[k + 1]! };
  }

  /**
   * Index of `hash` in {@link keys} (its postings are `[starts[k], starts[k + 1])`), or −1 when
   * no track has it. Binary search; allocates nothing.
   */
  find(hash: number): number {
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
    const parts = [this.trackIds, this.keys, this.starts, this.slots, this.times];
    const words = HEADER_WORDS + parts.reduce((n, a) => n + a.length, 0);
    const out = new Uint32Array(words);
    out.set([MAGIC, this.version, this.trackIds.length, this.keys.length, this.size]);
    let at = HEADER_WORDS;
    for (const a of parts) {
      out.set(a, at);
      at += a.length;
    }
    if (!LITTLE_ENDIAN) for (let i = 0; i < words; i++) out[i] = swap32(out[i]!);
    return new Uint8Array(out.buffer);
  }

  /**
   * Reads an index written by {@link toBytes}.
   *
   * @throws Error when the bytes are not such an index (wrong magic, truncated, inconsistent)
   */
  static fromBytes(bytes: Uint8Array): LandmarkIndex {
    if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteLength % 4 !== 0)
      throw new Error('not a landmark index');
    // A copy: aligned, and detached from the caller's buffer.
    const words = new Uint32Array(bytes.slice().buffer);
    if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]!);
    const [magic, version, tracks, distinct, total] = words.subarray(0, HEADER_WORDS);
    if (magic !== MAGIC || version === undefined || tracks === undefined) {
      throw new Error('not a landmark index');
    }
    if (distinct === undefined || total === undefined) throw new Error('not a landmark index');
    if (words.length !== HEADER_WORDS + tracks + 2 * distinct + 1 + 2 * total)
      throw new Error('landmark index truncated');
    let at = HEADER_WORDS;
    const take = (n: number) => {
      const part = words.subarray(at, at + n);
      at += n;
      return part;
    };
    const index = new LandmarkIndex(
      version,
      take(tracks),
      take(distinct),
      take(distinct + 1),
      take(total),
      take(total),
    );
    if (index.starts[distinct] !== total) throw new Error('landmark index inconsistent');
    return index;
  }
}
