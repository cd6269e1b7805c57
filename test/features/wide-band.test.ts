/**
 * One STFT of a 44,100 Hz excerpt serves the timbre statistics, the model's 22,050 Hz log-mel
 * spectrogram and the onset envelope (core/features/wide-band.ts): on real music each equals what
 * the separate computations on the halved audio give.
 */
import { describe, expect, it } from 'vitest';
import { decimateByTwo } from '../../core/audio/decimate.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel, computeLogMels, derivableLogMel } from '../../core/features/log-mel.js';
import { estimateTempo, OnsetAccumulator, onsetEnvelope } from '../../core/features/tempo.js';
import { TIMBRE_PARAMS, timbreStatistics } from '../../core/features/timbre.js';
import { wideBandSpectra } from '../../core/features/wide-band.js';
import { DEFAULT_LOG_MEL, type LogMelParams } from '../../core/model/metadata.js';
import { demoTrack } from '../helpers/paths.js';

/** The shipped model's features (22,050 Hz, nFft 1,024, hop 512, 64 bands, 30–8,000 Hz). */
const MODEL: LogMelParams = DEFAULT_LOG_MEL;

describe('wideBandSpectra', () => {
  it('gives the spectrogram, onset envelope and timbre of the separate computations', async () => {
    for (const name of ['electronic__chaos-fog.ogg', 'ambient_electronic__Nebula.ogg']) {
      const { pcm: wide } = await decodeAudio(demoTrack(name), {
        sampleRate: 44_100,
        maxAnalysedS: 30,
      });
      const half = decimateByTwo(wide);
      const spectra = wideBandSpectra(wide, MODEL);
      const want = computeLogMel(half, MODEL);
      const got = spectra.logMel;
      expect(got?.frames).toBe(want.frames);
      expect(got?.nMels).toBe(64);
      // All frames but the first and last, which reach past the ends (the paddings differ).
      let worst = 0;
      for (let i = 64; i < (want.frames - 1) * 64; i++) {
        worst = Math.max(worst, Math.abs(want.data[i]! - got!.data[i]!));
      }
      expect(worst, name).toBeLessThan(0.002);
      expect(spectra.onset?.frameRate).toBeCloseTo(22_050 / 512, 9);
      expect(estimateTempo(spectra.onset!).bpm).toBeCloseTo(
        estimateTempo(onsetEnvelope(half, 22_050)).bpm!,
        1,
      );
      expect([...spectra.timbre]).toEqual([...timbreStatistics(wide)]);
    }
  });

  it('feeds the onset envelope from the spectrogram’s STFT, block by block, as frame by frame', async () => {
    const { pcm } = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
      sampleRate: 22_050,
      maxAnalysedS: 30,
    });
    const onset = new OnsetAccumulator(22_050, pcm.length);
    computeLogMel(pcm, MODEL, onset);
    const got = onset.result().values;
    const want = onsetEnvelope(pcm, 22_050).values;
    expect(got.length).toBe(want.length);
    let worst = 0;
    let peak = 0;
    for (let t = 0; t < want.length; t++) {
      worst = Math.max(worst, Math.abs(got[t]! - want[t]!));
      peak = Math.max(peak, want[t]!);
    }
    expect(peak).toBeGreaterThan(1); // dB of flux: real onsets
    expect(worst).toBeLessThan(1e-9 * peak); // the kernels' sums differ only in rounding
    // A filterbank for another FFT size is refused.
    const other = new OnsetAccumulator(44_100, pcm.length);
    expect(() => computeLogMel(pcm, MODEL, other)).toThrow(/cannot read an STFT/);
  });

  it('falls back to the timbre statistics alone for features it cannot derive', () => {
    const pcm = new Float32Array(44_100).map((_, i) => Math.sin(i / 7));
    const other = { ...MODEL, hopLength: 256 };
    expect(derivableLogMel(other, TIMBRE_PARAMS)).toBe(false);
    expect(derivableLogMel({ ...MODEL, sampleRate: 16_000 }, TIMBRE_PARAMS)).toBe(false);
    expect(derivableLogMel(MODEL, TIMBRE_PARAMS)).toBe(true);
    const spectra = wideBandSpectra(pcm, other);
    expect(spectra.logMel).toBeUndefined();
    expect(spectra.onset).toBeUndefined();
    expect([...spectra.timbre]).toEqual([...timbreStatistics(pcm)]);
    expect(() => computeLogMels(pcm, TIMBRE_PARAMS, [other])).toThrow(/cannot be taken/);
  });
});
