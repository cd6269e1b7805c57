/**
 * The log-mel spectrogram the model sees: Slaney mel power spectrogram (librosa
 * `melspectrogram(power=2.0)` with `stft(center=True, pad_mode='reflect')`) followed by a
 * natural log with an offset. All parameters come from `LogMelParams` (the model's metadata).
 */
import type { LogMelParams } from '../model/metadata.js';
import { applyMel, melFilterbank } from './mel.js';
import { forEachPowerFrame, frameCount } from './stft.js';

/** A log-mel spectrogram, frame-major. */
export interface LogMelSpectrogram {
  /** `data[t * nMels + m]` = ln(mel power of band m in frame t + logOffset). */
  readonly data: Float32Array;
  /** Number of frames: `1 + floor(samples / hopLength)`. */
  readonly frames: number;
  /** Number of mel bands. */
  readonly nMels: number;
}

/**
 * Computes the log-mel spectrogram of mono PCM.
 *
 * Measured on the development machine (Node 22, one core of a shared 2-core VM): 30 s at
 * 22,050 Hz with the default parameters (nFft 1,024, hop 512, 64 bands) in about 15 ms.
 *
 * @param pcm - mono samples at `params.sampleRate`, nominally in [-1, 1]
 * @param params - feature parameters (sample rate, FFT size, hop, bands, range, log offset)
 * @param onFrame - also receives every frame's power spectrum (reused buffer, see
 *   `forEachPowerFrame`), for a caller that needs another projection of the same STFT
 * @returns `frames × nMels` values of `ln(melPower + logOffset)`
 * @throws SynestheteError `E_CONFIG` when the parameters are inconsistent
 */
export function computeLogMel(
  pcm: Float32Array,
  params: LogMelParams,
  onFrame?: (frame: number, power: Float64Array) => void,
): LogMelSpectrogram {
  const bank = melFilterbank(params);
  const { nMels } = params;
  const frames = frameCount(pcm.length, params.hopLength);
  const data = new Float32Array(frames * nMels);
  const mel = new Float64Array(nMels);
  const offset = params.logOffset;
  forEachPowerFrame(pcm, params.nFft, params.hopLength, (t, power) => {
    applyMel(bank, power, mel);
    const row = t * nMels;
    for (let m = 0; m < nMels; m++) data[row + m] = Math.log(mel[m]! + offset);
    onFrame?.(t, power);
  });
  return { data, frames, nMels };
}
