/**
 * The spectra of a catalogue excerpt decoded at the timbre statistics' 44,100 Hz (the `fast`
 * ingest profile, core/ingest/profile.ts) from one STFT instead of three: the timbre statistics'
 * 128-band log-mel spectrogram, the model's 64-band log-mel spectrogram at 22,050 Hz and the
 * tempo's onset envelope all read the same 2,048-point frames, 1,024 samples apart (46.4 ms and
 * 23.2 ms, the times of the model's 1,024-point frames 512 apart at 22,050 Hz). See
 * `computeLogMels` for why the model's spectrogram is the same.
 *
 * @module
 */

import { computeLogMels, derivableLogMel, type LogMelSpectrogram } from './log-mel.js';
import type { LogMelParams } from './log-mel-params.js';
import { OnsetAccumulator, type OnsetEnvelope } from './tempo.js';
import { TIMBRE_PARAMS, timbreOfLogMel, timbreStatistics } from './timbre.js';

/** What {@link wideBandSpectra} computed. */
export interface WideBandSpectra {
  /** The timbre statistics (`timbreStatistics` of the same PCM). */
  readonly timbre: Float32Array;
  /**
   * The model's log-mel spectrogram, `frames × features.nMels`, with
   * `1 + floor(pcm.length / TIMBRE_PARAMS.hopLength)` frames; absent when the model's features
   * cannot be taken from the timbre STFT (another sample rate, FFT size or hop).
   */
  readonly logMel?: LogMelSpectrogram;
  /** The onset envelope of the same frames (`onsetEnvelope` of the audio); with `logMel`. */
  readonly onset?: OnsetEnvelope;
}

/**
 * Timbre statistics, and where the model's features allow, its log-mel spectrogram and the onset
 * envelope, from one STFT of `pcm`.
 *
 * @param pcm - mono Float32 PCM in [-1, 1] at {@link TIMBRE_PARAMS}.sampleRate (44,100 Hz)
 * @param features - the model's spectrogram parameters (22,050 Hz, nFft 1,024, hop 512, 64 bands
 *   up to 8,000 Hz for the shipped model)
 * @throws SynestheteError `E_CONFIG` when the parameters are inconsistent
 */
export function wideBandSpectra(pcm: Float32Array, features: LogMelParams): WideBandSpectra {
  if (!derivableLogMel(features, TIMBRE_PARAMS)) {
    return { timbre: timbreStatistics(pcm) };
  }
  // The onset envelope's frames at 44,100 Hz are these very frames (2,048 points, hop 1,024); its
  // dB values are 6.02 dB above those at 22,050 Hz, which its differences do not see.
  const onset = new OnsetAccumulator(TIMBRE_PARAMS.sampleRate, pcm.length);
  const sharesOnset =
    onset.nFft === TIMBRE_PARAMS.nFft && onset.hopLength === TIMBRE_PARAMS.hopLength;
  const [timbreLogMel, logMel] = computeLogMels(
    pcm,
    TIMBRE_PARAMS,
    [TIMBRE_PARAMS, features],
    sharesOnset ? onset : undefined,
  ) as [LogMelSpectrogram, LogMelSpectrogram];
  return {
    timbre: timbreOfLogMel(timbreLogMel),
    logMel,
    ...(sharesOnset ? { onset: onset.result() } : {}),
  };
}
