/**
 * Landmark hashes: pairs of spectral peaks, as in A. Wang, "An Industrial-Strength Audio Search
 * Algorithm", ISMIR 2003, §2.2. Each peak is an anchor, paired with up to `fanOut` later peaks of
 * its target zone (`minDeltaFrames`…`maxDeltaFrames` frames later, within `maxDeltaBins` bins);
 * a pair (f1, f2, t2 − t1) is packed into one 23-bit integer and kept with the anchor's time t1.
 * A pair is far more specific than a single peak (≈ 2^23 values instead of ≈ 2^9) while each of
 * its parts survives noise like a peak does.
 *
 * Layout of a hash (bit 22 … bit 0): `f1` (9 bits, the anchor's FFT bin, 0–511) ·
 * `f2 − f1 + 128` (8 bits) · `t2 − t1` (6 bits, frames).
 *
 * @module
 */

import { HASH_PARAMS } from './params.js';
import type { Peaks } from './peaks.js';

/** Bits of a landmark hash: every hash is below 2^HASH_BITS. */
export const HASH_BITS = 23;

/** Hashes of one recording, in anchor-time order. */
export interface Landmarks {
  /** 23-bit landmark hashes (see the module comment for the layout). */
  readonly hashes: Uint32Array;
  /** Anchor frame of each hash (fingerprint frames, see `FRAME_SECONDS`). */
  readonly times: Uint32Array;
}

/** Parameters of {@link landmarkHashes} (default {@link HASH_PARAMS}). */
export type HashParams = typeof HASH_PARAMS;

/**
 * Packs one pair of peaks into a hash.
 *
 * @param f1 - anchor bin, 0–511
 * @param f2 - target bin, with |f2 − f1| ≤ 127
 * @param dt - frames from anchor to target, 1–63
 * @returns the 23-bit hash
 */
export function packHash(f1: number, f2: number, dt: number): number {
  return ((f1 & 0x1ff) << 14) | (((f2 - f1 + 128) & 0xff) << 6) | (dt & 0x3f);
}

/**
 * Unpacks a hash made by {@link packHash}.
 *
 * @returns the anchor bin, target bin and time step (frames)
 */
export function unpackHash(hash: number): { f1: number; f2: number; dt: number } {
  const f1 = (hash >>> 14) & 0x1ff;
  return { f1, f2: f1 + ((hash >>> 6) & 0xff) - 128, dt: hash & 0x3f };
}

/**
 * Pairs every peak with the first `fanOut` peaks of its target zone.
 *
 * @param peaks - peaks in time order (see `findPeaks`)
 * @param timeOffset - frames added to every anchor time (where this stretch starts in its source)
 * @param params - target zone and fan-out (default {@link HASH_PARAMS})
 * @returns at most `fanOut` hashes per peak, in anchor-time order
 * @throws RangeError when the zone does not fit the hash layout (dt > 63 or |df| > 127)
 */
export function landmarkHashes(
  peaks: Peaks,
  timeOffset = 0,
  params: HashParams = HASH_PARAMS,
): Landmarks {
  const { fanOut, minDeltaFrames, maxDeltaFrames, maxDeltaBins } = params;
  if (maxDeltaFrames > 63 || maxDeltaBins > 127 || minDeltaFrames < 1) {
    throw new RangeError('the target zone does not fit the 23-bit hash layout');
  }
  const { frames, bins } = peaks;
  const n = frames.length;
  const hashes = new Uint32Array(n * fanOut);
  const times = new Uint32Array(n * fanOut);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t1 = frames[i]!;
    const f1 = bins[i]!;
    let paired = 0;
    for (let j = i + 1; j < n && paired < fanOut; j++) {
      const dt = frames[j]! - t1;
      if (dt > maxDeltaFrames) break;
      if (dt < minDeltaFrames) continue;
      const f2 = bins[j]!;
      if (Math.abs(f2 - f1) > maxDeltaBins) continue;
      hashes[count] = packHash(f1, f2, dt);
      times[count] = t1 + timeOffset;
      count++;
      paired++;
    }
  }
  return { hashes: hashes.slice(0, count), times: times.slice(0, count) };
}
