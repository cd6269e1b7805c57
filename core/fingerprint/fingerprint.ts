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
  const chroma: TonalityChroma[] = [];
  const parts: Landmarks[] = [];
  let peakCount = 0;
  let seconds = 0;
  for (const s of stretches) {
    const audio = resampleMono(
      pcm.subarray(s.offset, s.offset + s.length),
      sampleRate,
      FINGERPRINT_PARAMS.sampleRate,
    );
    if (options.chroma) {
      chroma.push(tonalityChroma({ pcm: audio, sampleRate: FINGERPRINT_PARAMS.sampleRate }));
    }
    const peaks = findPeaks(audio);
    peakCount += peaks.frames.length;
    seconds += s.length / sampleRate;
    parts.push(landmarkHashes(peaks, Math.round(s.sourceStartS / FRAME_SECONDS)));
  }
  const total = parts.reduce((n, p) => n + p.hashes.length, 0);
  const hashes = new Uint32Array(total);
  const times = new Uint32Array(total);
  let at = 0;
  for (const p of parts) {
    hashes.set(p.hashes, at);
    times.set(p.times, at);
    at += p.hashes.length;
  }
  return options.chroma
    ? { hashes, times, peakCount, seconds, chroma }
    : { hashes, times, peakCount, seconds };
}
