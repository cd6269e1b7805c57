/**
 * The log-mel spectrogram the model sees: Slaney mel power spectrogram (librosa
 * `melspectrogram(power=2.0)` with `stft(center=True, pad_mode='reflect')`) followed by a
 * natural log with an offset. All parameters come from `LogMelParams` (the model's metadata).
 */

import { f32View, f64View, i32View, kernels, withScratch } from '../dsp/kernels.js';
import { SynestheteError } from '../util/errors.js';
import type { LogMelParams } from './log-mel-params.js';
import { type MelFilterbank, melFilterbank } from './mel.js';
import { forEachPowerBlock, frameCount } from './stft.js';

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
 * Another projection of the same STFT, for a caller that needs one besides the spectrograms (the
 * tempo's onset envelope: `OnsetAccumulator`): its filterbank's band powers are computed in the
 * DSP kernels with the spectrograms' own, and handed over block by block.
 */
export interface MelBlockSink {
  /** Its filterbank, at the STFT's sample rate and FFT size. */
  readonly bank: MelFilterbank;
  /**
   * Receives the band powers of frames `first … first + count − 1`.
   *
   * @param first - index of the block's first frame
   * @param count - frames in the block
   * @param mel - `count × bank.nMels` mel powers (not logarithms), frame-major; valid only during
   *   the call (a view of the kernels' scratch memory)
   */
  addMelBlock(first: number, count: number, mel: Float64Array): void;
}

/**
 * Computes the log-mel spectrogram of mono PCM.
 *
 * Measured on the development machine (Node 22, one core of a shared 2-core VM): 30 s at
 * 22,050 Hz with the default parameters (nFft 1,024, hop 512, 64 bands) in about 15 ms.
 *
 * @param pcm - mono samples at `params.sampleRate`, nominally in [-1, 1]
 * @param params - feature parameters (sample rate, FFT size, hop, bands, range, log offset)
 * @param sink - also receives another filterbank's band powers of the same STFT (see
 *   {@link MelBlockSink})
 * @returns `frames × nMels` values of `ln(melPower + logOffset)`
 * @throws SynestheteError `E_CONFIG` when the parameters are inconsistent
 */
export function computeLogMel(
  pcm: Float32Array,
  params: LogMelParams,
  sink?: MelBlockSink,
): LogMelSpectrogram {
  return computeLogMels(pcm, params, [params], sink)[0]!;
}

/**
 * Whether a log-mel spectrogram with `params` can be taken from an STFT of the same audio at
 * `ratio` times its sample rate (see {@link computeLogMels}): `ratio` a whole number ≥ 1, the FFT
 * size and hop `ratio` times larger (so the frames cover the same time).
 *
 * @param params - the spectrogram wanted
 * @param stft - sample rate, FFT size and hop of the STFT that would be shared
 */
export function derivableLogMel(
  params: LogMelParams,
  stft: Pick<LogMelParams, 'sampleRate' | 'nFft' | 'hopLength'>,
): boolean {
  const ratio = stft.sampleRate / params.sampleRate;
  return (
    Number.isInteger(ratio) &&
    ratio >= 1 &&
    stft.nFft === ratio * params.nFft &&
    stft.hopLength === ratio * params.hopLength
  );
}

/**
 * Several log-mel spectrograms of one recording from a single STFT — for a catalogue excerpt
 * decoded at 44,100 Hz, the timbre statistics' 128-band spectrogram and the model's 64-band one
 * at 22,050 Hz (whose frames of 1,024 samples, 512 apart, cover exactly the time of the 44,100 Hz
 * frames of 2,048, 1,024 apart).
 *
 * A spectrogram at rate r taken from the STFT at k·r (see {@link derivableLogMel}): the bins of
 * both lie at the same frequencies (n·r / nFft Hz), the Hann windows have the same shape in time,
 * and for audio band-limited below r/2 each coefficient of the longer frame is k times the shorter
 * one's (a Riemann sum of the same integral with k times the points), so the mel power is divided
 * by k². It equals the spectrogram of the audio resampled to r wherever the resampler's low-pass
 * is flat: up to the model's 8,000 Hz fMax, measured within 0.002 in ln(mel power) on 22 real
 * tracks against halving with libswresample's filter (core/audio/decimate.ts), all frames but the
 * first and the last, which reach past the ends, where the two paddings differ. Frame counts are
 * `1 + floor(samples / stft.hopLength)`.
 *
 * @param pcm - mono samples at `stft.sampleRate`, nominally in [-1, 1]
 * @param stft - sample rate (Hz), FFT size and hop (samples) of the one STFT computed
 * @param targets - the spectrograms wanted; each must be {@link derivableLogMel} from `stft`
 * @param sink - also receives another filterbank's band powers of the same STFT (see
 *   {@link MelBlockSink}; its bank must be built for `stft`'s sample rate and FFT size)
 * @returns one spectrogram per target, in order, each `frames × nMels` of ln(mel power + offset)
 * @throws SynestheteError `E_CONFIG` when a target cannot be derived from `stft`, or the
 *   parameters are inconsistent
 */
export function computeLogMels(
  pcm: Float32Array,
  stft: Pick<LogMelParams, 'sampleRate' | 'nFft' | 'hopLength'>,
  targets: readonly LogMelParams[],
  sink?: MelBlockSink,
): LogMelSpectrogram[] {
  const frames = frameCount(pcm.length, stft.hopLength);
  const plans = targets.map((params) => {
    if (!derivableLogMel(params, stft)) {
      throw new SynestheteError(
        'E_CONFIG',
        `a ${params.sampleRate} Hz log-mel spectrogram (nFft ${params.nFft}, hop ${params.hopLength}) cannot be taken from a ${stft.sampleRate} Hz STFT (nFft ${stft.nFft}, hop ${stft.hopLength})`,
      );
    }
    if (!(params.fMax <= params.sampleRate / 2)) {
      // The bank is built at the STFT's rate, which would accept it: check the target's own.
      throw new SynestheteError(
        'E_CONFIG',
        `mel range must satisfy fMax ≤ sr/2: ${params.fMax} Hz at ${params.sampleRate} Hz`,
      );
    }
    const ratio = stft.sampleRate / params.sampleRate;
    return {
      bank: melFilterbank({ ...params, sampleRate: stft.sampleRate, nFft: stft.nFft }),
      scale: 1 / (ratio * ratio),
      offset: params.logOffset,
      nMels: params.nMels,
      data: new Float32Array(frames * params.nMels),
    };
  });
  const bins = stft.nFft / 2 + 1;
  if (sink && sink.bank.bins !== stft.nFft / 2 + 1) {
    throw new SynestheteError(
      'E_CONFIG',
      `a mel filterbank of ${sink.bank.bins} bins cannot read an STFT of nFft ${stft.nFft}`,
    );
  }
  const mostMels = Math.max(...plans.map((p) => p.nMels), sink?.bank.nMels ?? 0);
  // The band energies in WebAssembly (core/dsp/kernels.c `mel_frames`), block by block of the
  // STFT; the logarithms here.
  withScratch((alloc) => {
    const place = (bank: MelFilterbank) => {
      const weightsAt = alloc(4 * bank.weights.length);
      const startAt = alloc(4 * bank.nMels);
      const endAt = alloc(4 * bank.nMels);
      f32View(weightsAt, bank.weights.length).set(bank.weights);
      i32View(startAt, bank.nMels).set(bank.start);
      i32View(endAt, bank.nMels).set(bank.end);
      return { weightsAt, startAt, endAt };
    };
    const banks = plans.map(({ bank }) => place(bank));
    const sinkBank = sink ? place(sink.bank) : undefined;
    forEachPowerBlock(pcm, stft.nFft, stft.hopLength, (first, count, powerAt) => {
      withScratch((allocMel) => {
        const melAt = allocMel(8 * count * mostMels);
        plans.forEach((plan, i) => {
          const { weightsAt, startAt, endAt } = banks[i]!;
          const { nMels, data, scale, offset } = plan;
          kernels.mel_frames(powerAt, bins, count, weightsAt, startAt, endAt, nMels, melAt);
          const mel = f64View(melAt, count * nMels);
          const row = first * nMels;
          for (let j = 0; j < count * nMels; j++)
            data[row + j] = Math.log(mel[j]! * scale + offset);
        });
        if (sink && sinkBank) {
          const { weightsAt, startAt, endAt } = sinkBank;
          const n = sink.bank.nMels;
          kernels.mel_frames(powerAt, bins, count, weightsAt, startAt, endAt, n, melAt);
          sink.addMelBlock(first, count, f64View(melAt, count * n));
        }
      });
    });
  });
  return plans.map((p) => ({ data: p.data, frames, nMels: p.nMels }));
}
