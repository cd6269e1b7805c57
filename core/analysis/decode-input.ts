/**
 * The analysis's one way to decode: a path or the bytes of an audio file through the decoders
 * (core/audio/decode.ts), live PCM only resampled (no ffmpeg, no disk).
 *
 * @module
 */
import { type DecodedAudio, type DecodeOptions, decodeAudio } from '../audio/decode.js';
import { decodePcm, isPcmAudio, type PcmAudio } from '../audio/pcm-input.js';

/**
 * Decodes a path or bytes with FFmpeg; PCM handed in is only resampled.
 *
 * @param input - a path, the bytes of an audio file, or mono {@link PcmAudio}
 * @param options - see {@link DecodeOptions} (live PCM reads the sample rate, the caps on its
 *   duration and `maxAnalysedS` from its start)
 * @returns mono PCM in [-1, 1] at `options.sampleRate` Hz, with its segments
 * @throws SynestheteError as `decodeAudio` and `decodePcm` do
 */
export function decodeInput(
  input: string | Uint8Array | PcmAudio,
  options: DecodeOptions,
): Promise<DecodedAudio> {
  return isPcmAudio(input)
    ? Promise.resolve().then(() => decodePcm(input, options))
    : decodeAudio(input, options);
}
