/**
 * The spectral peak picking (core/fingerprint/peaks.ts: neighbourhood maxima over power, decibels
 * only near a maximum) finds exactly the peaks of the straightforward version — a float32 decibel
 * spectrogram and a full rectangle maximum over it — on real music (demo tracks, the demo voice
 * note, a voice-note cut) and on signals full of exact ties (steady tones, silence).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { resampleMono } from '../../core/dsp/resample.js';
import { forEachPowerFrame } from '../../core/features/stft.js';
import { FINGERPRINT_PARAMS } from '../../core/fingerprint/params.js';
import { findPeaks, type Peaks } from '../../core/fingerprint/peaks.js';
import { noise, sine } from '../features/signals.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';

const SR = FINGERPRINT_PARAMS.sampleRate;

/** The peak picking as first written: every cell in dB, maxima over the whole rectangle. */
function referencePeaks(pcm: Float32Array): Peaks {
  const { nFft, hopLength, minBin, maxBin, peakHalfBins, peakHalfFrames } = FINGERPRINT_PARAMS;
  const nb = maxBin - minBin + 1;
  const frameTotal = 1 + Math.floor(pcm.length / hopLength);
  const spec = new Float32Array(frameTotal * nb);
  forEachPowerFrame(pcm, nFft, hopLength, (t, power) => {
    for (let k = 0; k < nb; k++) spec[t * nb + k] = 10 * Math.log10(power[minBin + k]! + 1e-12);
  });
  const candFrames: number[] = [];
  const candBins: number[] = [];
  const candDb: number[] = [];
  for (let t = 0; t < frameTotal; t++) {
    for (let k = 0; k < nb; k++) {
      const v = spec[t * nb + k]!;
      let box = Number.NEGATIVE_INFINITY;
      for (
        let u = Math.max(0, t - peakHalfFrames);
        u <= Math.min(frameTotal - 1, t + peakHalfFrames);
        u++
      ) {
        for (let j = Math.max(0, k - peakHalfBins); j <= Math.min(nb - 1, k + peakHalfBins); j++) {
          box = Math.max(box, spec[u * nb + j]!);
        }
      }
      if (v === box && v > -40) {
        candFrames.push(t);
        candBins.push(minBin + k);
        candDb.push(v);
      }
    }
  }
  const half = Math.round(SR / hopLength / 2);
  const keep: number[] = [];
  for (let i = 0; i < candFrames.length; i++) {
    let stronger = 0;
    let loudest = candDb[i]!;
    for (let j = 0; j < candFrames.length; j++) {
      if (Math.abs(candFrames[j]! - candFrames[i]!) > half) continue;
      const u = candDb[j]!;
      if (u > candDb[i]! || (u === candDb[i]! && j < i)) stronger++;
      loudest = Math.max(loudest, u);
    }
    if (
      stronger < FINGERPRINT_PARAMS.peaksPerSecond &&
      loudest - candDb[i]! <= FINGERPRINT_PARAMS.peakFloorDb
    ) {
      keep.push(i);
    }
  }
  return {
    frames: Int32Array.from(keep, (i) => candFrames[i]!),
    bins: Int32Array.from(keep, (i) => candBins[i]!),
    db: Float32Array.from(keep, (i) => candDb[i]!),
    frameCount: frameTotal,
  };
}

async function decodeAt11k(file: string, seconds: number): Promise<Float32Array> {
  const options = { sampleRate: 22_050, maxAnalysedS: seconds, segments: 1, name: 'x.ogg' };
  return resampleMono((await decodeAudio(file, options)).pcm, 22_050, SR);
}

describe('findPeaks against the straightforward peak picking', () => {
  const signals: Array<{ name: string; pcm: Float32Array }> = [];

  beforeAll(async () => {
    for (const name of [
      'metal_rock__Metal_madness.ogg',
      'ambient_electronic__Nebula.ogg',
      'game_platformer__chipdisko.ogg',
      'orchestral_fantasy__knolls.ogg',
    ]) {
      signals.push({ name, pcm: await decodeAt11k(demoTrack(name), 12) });
    }
    signals.push({
      name: 'demo voice note',
      pcm: await decodeAt11k(`${REPO_ROOT}/data/demo/queries/voice-note.ogg`, 30),
    });
    // Exact ties: a steady tone's frames have equal power; silence, a fade-in from it.
    const tones = new Float32Array(3 * SR + 2);
    tones.set(sine(1000, 1.5, SR, 0.5));
    tones.set(sine(2500, 1.5, SR, 0.25), Math.round(1.5 * SR));
    signals.push({ name: 'steady tones', pcm: tones });
    const fade = noise(2 * SR, 9);
    for (let i = 0; i < SR; i++) fade[i] = 0;
    for (let i = SR; i < 2 * SR; i++) fade[i]! *= (i - SR) / SR;
    signals.push({ name: 'silence and a fade-in', pcm: fade });
  });

  it('finds the same peaks, at the same frames and bins, with the same decibels', () => {
    let peaks = 0;
    for (const { name, pcm } of signals) {
      const ours = findPeaks(pcm);
      const reference = referencePeaks(pcm);
      expect(Array.from(ours.frames), name).toEqual(Array.from(reference.frames));
      expect(Array.from(ours.bins), name).toEqual(Array.from(reference.bins));
      expect(Array.from(ours.db), name).toEqual(Array.from(reference.db));
      expect(ours.frameCount, name).toBe(reference.frameCount);
      peaks += ours.frames.length;
    }
    expect(peaks).toBeGreaterThan(1000);
  });
});
