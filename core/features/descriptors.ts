/**
 * Human-readable descriptors of a clip, used to explain recommendations: tempo, key and chroma,
 * loudness, and spectral shape (centroid, brightness, flatness). They are not model inputs.
 */

import { f64View, kernels, withScratch } from '../dsp/kernels.js';
import { ChromaAccumulator, estimateKey, type PitchClass } from './key.js';
import { forEachPowerBlock, forEachPowerFrame } from './stft.js';
import { estimateTempo, type OnsetEnvelope, onsetEnvelope, type TempoEstimate } from './tempo.js';
import { type TonalityChroma, TonalityChromaAccumulator, tonalityChroma } from './tonality.js';

/** Descriptors of one clip or track. */
export interface Descriptors {
  /** Global tempo, BPM within 60–200, or null when none could be measured. */
  readonly tempoBpm: number | null;
  /** Periodicity of the onsets at that tempo, 0…1 (see `estimateTempo`). */
  readonly tempoConfidence: number;
  /** Most likely key (Krumhansl–Schmuckler); `confidence` is the profile correlation, 0…1. */
  readonly key: {
    readonly tonic: PitchClass;
    readonly mode: 'major' | 'minor';
    readonly confidence: number;
  };
  /** 12 pitch-class weights summing to 1, index 0 = C. */
  readonly chroma: number[];
  /** RMS level in dBFS, `20 log10(rms)` (a full-scale sine is −3.01), floored at −120. */
  readonly loudnessDb: number;
  /** Centroid of the long-term average magnitude spectrum, Hz. */
  readonly spectralCentroidHz: number;
  /** Fraction of spectral power above 1,500 Hz, 0…1. */
  readonly brightness: number;
  /**
   * Mean spectral flatness (geometric / arithmetic mean of power) of non-silent frames, 0…1.
   * Absent when not asked for: `analyzeAudio` never asks (no reason or summary uses it), so only
   * catalogue tracks ingested by earlier versions store it; see `computeDescriptors`.
   */
  readonly spectralFlatness?: number;
}

/** Frequency above which power counts as "bright", Hz. */
export const BRIGHTNESS_SPLIT_HZ = 1500;

/** The descriptors but the tempo: what {@link spectralDescriptors} measures from the PCM alone. */
export type SpectralDescriptors = Omit<Descriptors, 'tempoBpm' | 'tempoConfidence'> & {
  /**
   * The tonality statistics' chroma frames of the same PCM (`tonalityChroma`), when asked for
   * with `tonality`: taken from the descriptors' own STFT where its frames are the tonality's.
   */
  readonly tonalityChroma?: TonalityChroma;
};

/**
 * Computes the descriptors of mono PCM.
 *
 * Spectral features use frames of ≈ 186 ms (4,096 samples at 22,050 Hz; scaled with the sample
 * rate) with 50 % overlap, periodic Hann window. Tempo uses `onsetEnvelope`/`estimateTempo`
 * (Ellis 2007), key uses chroma + Krumhansl–Schmuckler (`key.ts`). Spectral flatness follows
 * librosa `feature.spectral_flatness` (power spectrum, floor 1e-10); silent frames (more than
 * 60 dB below the loudest) are skipped. Measured on the 2-core development machine (loaded): a
 * 15 s clip in ≈ 10 ms given its onset envelope and without flatness, ≈ 40 ms for 30 s with both.
 *
 * @param pcm - mono samples, nominally in [-1, 1]
 * @param sampleRate - Hz
 * @param onset - the onset envelope of exactly this PCM when the caller already has it (see
 *   `OnsetAccumulator`); computed here otherwise
 * @param options - `flatness: false` skips the spectral flatness (one logarithm per bin and
 *   frame, ~15 % of the descriptors' CPU time on a 15 s clip); default true
 * @returns the descriptors; for silence: tempo null, flat chroma, −120 dB, zeros elsewhere
 */
export function computeDescriptors(
  pcm: Float32Array,
  sampleRate: number,
  onset?: OnsetEnvelope,
  options: { readonly flatness?: boolean } = {},
): Descriptors {
  return withTempo(
    spectralDescriptors(pcm, sampleRate, options),
    estimateTempo(onset ?? onsetEnvelope(pcm, sampleRate)),
  );
}

/**
 * The descriptors from their two halves, in the order {@link computeDescriptors} gives them.
 *
 * @param spectral - what {@link spectralDescriptors} measured
 * @param tempo - `estimateTempo` of the same PCM's onset envelope
 */
export function withTempo(spectral: SpectralDescriptors, tempo: TempoEstimate): Descriptors {
  const { spectralFlatness, ...rest } = spectral;
  return {
    tempoBpm: tempo.bpm,
    tempoConfidence: tempo.confidence,
    key: rest.key,
    chroma: rest.chroma,
    loudnessDb: rest.loudnessDb,
    spectralCentroidHz: rest.spectralCentroidHz,
    brightness: rest.brightness,
    ...(spectralFlatness !== undefined ? { spectralFlatness } : {}),
  };
}

/**
 * Everything of {@link computeDescriptors} but the tempo — key and chroma, loudness, spectral
 * centroid, brightness and (optionally) flatness — from the PCM alone, so that it can run on
 * another thread while the tempo comes from the onset envelope of the spectrogram's STFT.
 *
 * @param pcm - mono samples, nominally in [-1, 1]
 * @param sampleRate - Hz
 * @param options - `flatness: false` skips the spectral flatness (default true); `tonality: true`
 *   also returns the tonality chroma of the same PCM (`tonalityChroma`), from this STFT when the
 *   flatness is skipped and its frames are the tonality's (the same values either way)
 */
export function spectralDescriptors(
  pcm: Float32Array,
  sampleRate: number,
  options: { readonly flatness?: boolean; readonly tonality?: boolean } = {},
): SpectralDescriptors {
  const withFlatness = options.flatness !== false;

  const nFft = 2 ** Math.round(Math.log2((sampleRate * 4096) / 22050));
  const hop = nFft / 2;
  const bins = nFft / 2 + 1;
  const chroma = new ChromaAccumulator(sampleRate, nFft);
  // The tonality chroma from these very frames where they are its frames (the same FFT size and
  // hop at this rate), else from an STFT of its own.
  const tonal = options.tonality
    ? new TonalityChromaAccumulator(sampleRate, pcm.length)
    : undefined;
  const tonalHere =
    tonal !== undefined && !withFlatness && tonal.nFft === nFft && tonal.hopLength === hop;
  const avgPower = new Float64Array(bins);
  const avgMagnitude = new Float64Array(bins);
  const frameEnergy: number[] = [];
  const frameFlatness: number[] = [];
  if (withFlatness) {
    forEachPowerFrame(pcm, nFft, hop, (_t, power) => {
      chroma.add(power);
      let energy = 0;
      let logSum = 0;
      for (let k = 0; k < bins; k++) {
        const p = power[k]!;
        avgPower[k]! += p;
        avgMagnitude[k]! += Math.sqrt(p);
        energy += p;
        logSum += Math.log(Math.max(p, 1e-10));
      }
      frameEnergy.push(energy);
      const arithmetic = Math.max(energy / bins, 1e-10);
      frameFlatness.push(Math.exp(logSum / bins) / arithmetic);
    });
  } else {
    // The long-term sums in WebAssembly (core/dsp/kernels.c `spectrum_sums`, the same sums in
    // the same order), the chroma here, from each block of frames where the STFT left it.
    withScratch((alloc) => {
      const sumsAt = alloc(16 * bins);
      f64View(sumsAt, 2 * bins).fill(0);
      forEachPowerBlock(pcm, nFft, hop, (first, count, powerAt) => {
        kernels.spectrum_sums(powerAt, bins, count, sumsAt, sumsAt + 8 * bins);
        for (let f = 0; f < count; f++) chroma.add(f64View(powerAt + 8 * bins * f, bins));
        if (tonalHere) tonal.add(first, count, f64View(powerAt, count * bins));
      });
      avgPower.set(f64View(sumsAt, bins));
      avgMagnitude.set(f64View(sumsAt + 8 * bins, bins));
    });
  }

  let maxEnergy = 0;
  for (const e of frameEnergy) if (e > maxEnergy) maxEnergy = e;
  let flatSum = 0;
  let flatCount = 0;
  frameFlatness.forEach((f, i) => {
    if (maxEnergy > 0 && frameEnergy[i]! >= maxEnergy * 1e-6) {
      flatSum += f;
      flatCount++;
    }
  });

  let magTotal = 0;
  let magWeighted = 0;
  let powTotal = 0;
  let powHigh = 0;
  for (let k = 1; k < bins; k++) {
    const f = (k * sampleRate) / nFft;
    magTotal += avgMagnitude[k]!;
    magWeighted += f * avgMagnitude[k]!;
    powTotal += avgPower[k]!;
    if (f > BRIGHTNESS_SPLIT_HZ) powHigh += avgPower[k]!;
  }

  const chromaVector = chroma.result();
  const key = estimateKey(chromaVector);

  return {
    key: { tonic: key.tonic, mode: key.mode, confidence: key.confidence },
    chroma: chromaVector,
    loudnessDb: loudnessDbfs(pcm),
    spectralCentroidHz: magTotal > 0 ? magWeighted / magTotal : 0,
    brightness: powTotal > 0 ? powHigh / powTotal : 0,
    ...(withFlatness ? { spectralFlatness: flatCount > 0 ? flatSum / flatCount : 0 } : {}),
    ...(options.tonality
      ? {
          tonalityChroma: tonalHere ? tonal.result() : tonalityChroma({ pcm, sampleRate }),
        }
      : {}),
  };
}

/**
 * RMS level of PCM in dBFS, `10 log10(mean square)` (a full-scale sine is −3.01), floored at −120.
 *
 * @param pcm - mono Float32 PCM in [-1, 1]
 */
export function loudnessDbfs(pcm: Float32Array): number {
  let sumSq = 0;
  for (let i = 0; i < pcm.length; i++) sumSq += pcm[i]! * pcm[i]!;
  const meanSq = pcm.length > 0 ? sumSq / pcm.length : 0;
  return meanSq > 0 ? Math.max(-120, 10 * Math.log10(meanSq)) : -120;
}
