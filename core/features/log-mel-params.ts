/**
 * The log-mel spectrogram's parameters, as the model's metadata.json gives them
 * (`ModelMetadata.features`) and every feature extractor takes them.
 *
 * @module
 */

/** Log-mel spectrogram parameters (librosa conventions: Slaney mel scale, Hann window, centred frames). */
export interface LogMelParams {
  /** Sample rate of the mono PCM the model expects, in Hz (22,050). */
  readonly sampleRate: number;
  /** FFT size in samples (1,024 ≈ 46 ms at 22,050 Hz). */
  readonly nFft: number;
  /** Hop length between frames in samples (512 ≈ 23 ms at 22,050 Hz). */
  readonly hopLength: number;
  /** Number of mel bands (64). */
  readonly nMels: number;
  /** Lowest mel filter edge in Hz. */
  readonly fMin: number;
  /** Highest mel filter edge in Hz (≤ sampleRate / 2). */
  readonly fMax: number;
  /** Added to mel power before the natural log: `log(mel + logOffset)`. */
  readonly logOffset: number;
}
