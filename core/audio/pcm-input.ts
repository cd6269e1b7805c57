/**
 * Audio that arrives already decoded — live capture from a voice channel, where the Opus packets
 * were decoded in the adapter — handed to the engine without ffmpeg and without ever touching the
 * disk (byte inputs go through a private temporary file, see `temp-file.ts`; PCM never does).
 * It is resampled to the requested rate with libswresample's filter (`resample.ts`), so that it
 * reaches the model as a file decoded by FFmpeg at that rate would, and given the same caps as a
 * decoded file.
 */

import { SynestheteError } from '../util/errors.js';
import { DECODE_DEFAULTS, type DecodedAudio, type DecodeOptions } from './decode.js';
import { resamplePcm } from './resample.js';

/** Mono PCM handed in directly instead of a file. */
export interface PcmAudio {
  /** Mono samples in [-1, 1] at `sampleRate` (not modified). */
  readonly pcm: Float32Array;
  /** Sample rate of `pcm`, Hz (e.g. 48,000 for Discord voice). */
  readonly sampleRate: number;
}

/**
 * True for a {@link PcmAudio} value (as opposed to a path or a file's bytes).
 *
 * @param input - what an engine entry point was given
 */
export function isPcmAudio(input: unknown): input is PcmAudio {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as { pcm?: unknown }).pcm instanceof Float32Array &&
    typeof (input as { sampleRate?: unknown }).sampleRate === 'number'
  );
}

/**
 * Brings PCM to the requested sample rate with the caps {@link decodeAudio} applies to files.
 *
 * @param input - mono PCM at any rate
 * @param options - `sampleRate` (Hz) and the duration caps of {@link DecodeOptions}; byte caps
 *   and timeouts do not apply (nothing is decoded)
 * @returns mono PCM at `options.sampleRate`: the first `maxAnalysedS` seconds, as one segment
 * @throws SynestheteError `E_INPUT_EMPTY` (no samples), `E_INPUT_DURATION` (longer than
 *   `maxDurationS`, or shorter than `minDurationS`), `E_CONFIG` (a sample rate that is not a positive integer);
 *   `signal.reason` when already aborted
 */
export function decodePcm(input: PcmAudio, options: DecodeOptions): DecodedAudio {
  if (options.signal?.aborted) throw options.signal.reason;
  const name = options.name ?? 'live audio';
  if (input.pcm.length === 0) throw new SynestheteError('E_INPUT_EMPTY', `${name} is empty`);
  const durationS = input.pcm.length / input.sampleRate;
  const maxDurationS = options.maxDurationS ?? DECODE_DEFAULTS.maxDurationS;
  const minDurationS = options.minDurationS ?? DECODE_DEFAULTS.minDurationS;
  if (durationS > maxDurationS) {
    throw new SynestheteError(
      'E_INPUT_DURATION',
      `${name} is too long (${durationS.toFixed(1)} s; the limit is ${maxDurationS} s)`,
    );
  }
  if (durationS < minDurationS) {
    throw new SynestheteError(
      'E_INPUT_DURATION',
      `${name} is too short (${durationS.toFixed(1)} s; at least ${minDurationS} s needed)`,
    );
  }
  const maxAnalysedS = options.maxAnalysedS ?? DECODE_DEFAULTS.maxAnalysedS;
  const kept = input.pcm.subarray(0, Math.round(maxAnalysedS * input.sampleRate));
  const pcm = resamplePcm(kept, input.sampleRate, options.sampleRate);
  return {
    pcm,
    sampleRate: options.sampleRate,
    sourceDurationS: durationS,
    segments: [{ sourceStartS: 0, offset: 0, length: pcm.length }],
    decodedBy: 'pcm',
  };
}
