/**
 * The music gate's 4 Hz modulation descriptor (core/features/speech-music.ts), whose DFT reads its
 * cosines and sines from a table kept between calls, gives exactly the value of the direct DFT
 * that computes them in its loop — on real music and a voice note, for spectrograms of several
 * lengths in an order that makes the table grow and be reused, and at two frame rates.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel, type LogMelSpectrogram } from '../../core/features/log-mel.js';
import {
  SPEECH_MUSIC_DESCRIPTORS,
  speechMusicDescriptors,
} from '../../core/features/speech-music.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';

const P = {
  sampleRate: 22_050,
  nFft: 1024,
  hopLength: 512,
  nMels: 64,
  fMin: 30,
  fMax: 8000,
  logOffset: 1e-6,
};

/** The first version: frame energies, log envelope, a direct DFT at 0.5–16 Hz. */
function referenceModulation(s: LogMelSpectrogram, framesPerSecond: number): number {
  const env: number[] = [];
  for (let t = 0; t < s.frames; t++) {
    let sum = 0;
    for (let m = 0; m < s.nMels; m++) sum += Math.exp(s.data[t * s.nMels + m] ?? 0);
    env.push(Math.log(sum + 1e-10));
  }
  const mean = env.reduce((a, b) => a + b, 0) / Math.max(1, env.length);
  let inBand = 0;
  let total = 0;
  for (let f = 0.5; f <= 16; f += 0.25) {
    const w = (2 * Math.PI * f) / framesPerSecond;
    let re = 0;
    let im = 0;
    for (let t = 0; t < env.length; t++) {
      const v = (env[t] ?? 0) - mean;
      re += v * Math.cos(w * t);
      im -= v * Math.sin(w * t);
    }
    const p = re * re + im * im;
    total += p;
    if (f >= 3 && f <= 6) inBand += p;
  }
  return total > 0 ? inBand / total : 0;
}

describe('modulation4Hz', () => {
  it('equals the direct DFT bit for bit, whatever the order of lengths and frame rates', async () => {
    const index = SPEECH_MUSIC_DESCRIPTORS.indexOf('modulation4Hz');
    const decode = async (file: string) =>
      (await decodeAudio(file, { sampleRate: P.sampleRate, maxAnalysedS: 30, segments: 1 })).pcm;
    const music = computeLogMel(await decode(demoTrack('metal_rock__armygeddon.ogg')), P);
    const note = computeLogMel(await decode(`${REPO_ROOT}/data/demo/queries/voice-note.ogg`), P);
    const part = (s: LogMelSpectrogram, frames: number): LogMelSpectrogram => ({
      data: s.data.subarray(0, frames * s.nMels),
      frames,
      nMels: s.nMels,
    });
    const cases: Array<[LogMelSpectrogram, number]> = [
      [part(music, 200), 43],
      [part(note, 400), 43],
      [music, 43],
      [part(music, 300), 43],
      [note, 43],
      [part(music, 250), 21.5],
      [music, 43],
    ];
    for (const [s, fps] of cases) {
      const ours = speechMusicDescriptors(s, fps)[index];
      expect(ours, `${s.frames} frames at ${fps}`).toBe(referenceModulation(s, fps));
    }
  });
});
