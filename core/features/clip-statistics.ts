/**
 * The statistics a clip's spectrogram gives besides its CNN embedding: the style statistics (for a
 * model that fuses them, and for a gate that reads them) and the music gate's speech/music
 * descriptors. One function, so that the engine's second core (core/fingerprint/off-thread.ts) can
 * compute them while the main thread runs the CNN, with the same code as the main thread's
 * fallback.
 *
 * @module
 */
import type { LogMelSpectrogram } from './log-mel.js';
import { speechMusicDescriptors } from './speech-music.js';
import { styleStatistics } from './style.js';

/** The music gate's speech/music descriptors are computed on at most this many seconds. */
export const GATE_DESCRIPTOR_SECONDS = 30;

/** Which statistics {@link clipStatistics} computes. */
export interface ClipStatisticsRequest {
  /** The style statistics of all the spectrograms. */
  readonly style: boolean;
  /** The speech/music descriptors of the first spectrogram's first {@link GATE_DESCRIPTOR_SECONDS}. */
  readonly gate: boolean;
}

/** What {@link clipStatistics} computed (null where not asked for). */
export interface ClipStatistics {
  /** `styleStatistics` of the spectrograms (`STYLE_SIZE` raw values). */
  readonly style: Float32Array | null;
  /** `speechMusicDescriptors` (`SPEECH_MUSIC_SIZE` values). */
  readonly gate: Float64Array | null;
}

/**
 * Style statistics and speech/music descriptors of a clip's log-mel spectrograms.
 *
 * @param spectrograms - the clip's segments, frames × nMels natural-log mel power, the same
 *   `nMels` in all (see `styleStatistics`); may be empty (the descriptors of no frames are zeros)
 * @param nMels - the band count (for an empty first segment)
 * @param framesPerSecond - sample rate / hop length (43.07 for 22,050 Hz and hop 512)
 * @param request - which of the two to compute
 * @returns the statistics asked for
 * @throws SynestheteError `E_CONFIG` from `styleStatistics` when the band counts differ or do not fit
 */
export function clipStatistics(
  spectrograms: readonly LogMelSpectrogram[],
  nMels: number,
  framesPerSecond: number,
  request: ClipStatisticsRequest,
): ClipStatistics {
  const style = request.style ? styleStatistics(spectrograms) : null;
  let gate: Float64Array | null = null;
  if (request.gate) {
    const s = spectrograms[0] ?? { data: new Float32Array(0), frames: 0, nMels };
    const frames = Math.min(s.frames, Math.round(GATE_DESCRIPTOR_SECONDS * framesPerSecond));
    gate = speechMusicDescriptors(
      { data: s.data.subarray(0, frames * s.nMels), frames, nMels: s.nMels },
      framesPerSecond,
    );
  }
  return { style, gate };
}
