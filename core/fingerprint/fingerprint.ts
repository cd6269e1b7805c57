/**
 * A recording's landmark fingerprint (A. Wang, ISMIR 2003): resample to the fingerprint rate,
 * find spectral peaks, hash peak pairs — stretch by stretch when the decoded audio is made of
 * several segments of a long source, with anchor times counted from the start of the source.
 *
 * @module
 */

import { resampleMono } from '../dsp/resample.js';
import { type TonalityChroma, tonalityChroma } from '../features/tonality.js';
import { type Landmarks, landmarkHashes } from './hashes.js';
import { FINGERPRINT_PARAMS, FRAME_SECONDS } from './params.js';
import { findPeaks } from './peaks.js';

/** A stretch of decoded PCM and where it starts in its source. */
export interface PcmStretch {
  /** First sample of the stretch in the PCM. */
  readonly offset: number;
  /** Number of samples. */
  readonly length: number;
  /** Start of the stretch in the source, seconds. */
  readonly sourceStartS: number;
}

/** The fingerprint of a recording. */
export interface Fingerprint extends Landmarks {
  /** Spectral peaks found (before pairing), over all stretches. */
  readonly peakCount: number;
  /** Seconds of audio fingerprinted. */
  readonly seconds: number;
}

/** A fingerprint, with the chroma of its stretches when {@link fingerprintPcm} was asked for it. */
export interface FingerprintWithChroma extends Fingerprint {
  /** Each stretch's chroma frames (`tonalityChroma` of its 11,025 Hz audio), in order. */
  readonly chroma?: TonalityChroma[];
}

/**
 * Fingerprints mono PCM.
 *
 * @param pcm - mono samples in [-1, 1] at `sampleRate` Hz
 * @param sampleRate - Hz (any; resampled to `FINGERPRINT_PARAMS.sampleRate`)
 * @param stretches - consecutive parts of `pcm` taken from different places of the source
 *   (default: one stretch, the whole of `pcm`, starting at 0 s)
 * @param options - `chroma`: also compute each stretch's chroma frames for the tonality statistics
 *   (core/features/tonality.ts) from the audio resampled here, which a catalogue track's stripes
 *   would otherwise need an STFT of four times the samples for
 * @returns hashes with anchor times in fingerprint frames from the start of the source (and the
 *   stretches' chroma when asked for)
 * @throws SynestheteError `E_CONFIG` for an invalid sample rate
 */
export function fingerprintPcm(
  pcm: Float32Array,
  sampleRate: number,
  stretches: readonly PcmStretch[] = [{ offset: 0, length: pcm.length, sourceStartS: 0 }],
  options: { readonly chroma?: boolean } = {},
): FingerprintWithChroma {
  const parts: FingerprintWithChroma[] = [];
  for (const s of stretches) {
    const audio = resampleMono(
      pcm.subarray(s.offset, s.offset + s.length),
      sampleRate,
      FINGERPRINT_PARAMS.sampleRate,
    );
    const peaks = findPeaks(audio);
    const landmarks = landmarkHashes(peaks, Math.round(s.sourceStartS / FRAME_SECONDS));
    const part = { ...landmarks, peakCount: peaks.frames.length, seconds: s.length / sampleRate };
    parts.push(
      options.chroma
        ? {
            ...part,
            chroma: [tonalityChroma({ pcm: audio, sampleRate: FINGERPRINT_PARAMS.sampleRate })],
          }
        : part,
    );
  }
  return joinFingerprints(parts);
}

/**
 * The fingerprint of several stretches from the fingerprints of each: hashes and their anchor
 * times one after another, peaks and seconds summed, chroma in order (kept only when every part
 * has it). What {@link fingerprintPcm} returns for the stretches together, when each part is its
 * result for one of them (anchor times count from the start of the source in both).
 *
 * @param parts - fingerprints of consecutive stretches, in order (none: an empty fingerprint)
 * @returns one fingerprint, on new arrays
 */
export function joinFingerprints(parts: readonly FingerprintWithChroma[]): FingerprintWithChroma {
  const total = parts.reduce((n, p) => n + p.hashes.length, 0);
  const hashes = new Uint32Array(total);
  const times = new Uint32Array(total);
  let at = 0;
  let peakCount = 0;
  let seconds = 0;
  for (const p of parts) {
    hashes.set(p.hashes, at);
    times.set(p.times, at);
    at += p.hashes.length;
    peakCount += p.peakCount;
    seconds += p.seconds;
  }
  const chroma = parts.every((p) => p.chroma !== undefined)
    ? parts.flatMap((p) => p.chroma ?? [])
    : undefined;
  return chroma && parts.length > 0
    ? { hashes, times, peakCount, seconds, chroma }
    : { hashes, times, peakCount, seconds };
}
