/**
 * A gate takes its speech/music descriptors by name from all that the engine computes: older gates
 * (the first nine descriptors) and gates of any subset judge the engine's full vector as they
 * judge their own values.
 */
import { describe, expect, it } from 'vitest';
import { SPEECH_MUSIC_DESCRIPTORS, SPEECH_MUSIC_SIZE } from '../../core/features/speech-music.js';
import { clipMusicProbability, type MusicGateParams } from '../../core/model/music-gate.js';
import { SILENCE_DBFS } from '../../training/music-gate.js';

const DIM = 4;
const rows = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
/** A full descriptor vector: 1, 2, 3, … in engine order. */
const all = Float64Array.from({ length: SPEECH_MUSIC_SIZE }, (_, i) => i + 1);

function gate(names: readonly string[]): MusicGateParams {
  return {
    weights: [0.1, -0.2, 0.3, 0],
    bias: -0.1,
    threshold: 0.5,
    silenceDbfs: SILENCE_DBFS,
    method: '',
    descriptors: {
      names,
      mean: names.map(() => 1),
      std: names.map(() => 2),
      weights: names.map((_, i) => 0.1 * (i + 1) * (i % 2 ? -1 : 1)),
    },
  };
}

describe('descriptors taken by name', () => {
  it('judges an older gate of the first nine descriptors on the full vector as on its own', () => {
    const names = SPEECH_MUSIC_DESCRIPTORS.slice(0, 9);
    const g = gate(names);
    expect(clipMusicProbability(rows, 1, all, g)).toBeCloseTo(
      clipMusicProbability(rows, 1, all.slice(0, 9), g),
      12,
    );
  });

  it('takes a subset in the gate order, wherever the names sit in the engine order', () => {
    const names = ['peakPersistence', 'lowEnergyFrames', 'pulseRegularity'];
    const own = names.map((n) => all[SPEECH_MUSIC_DESCRIPTORS.indexOf(n as never)]!);
    const g = gate(names);
    expect(clipMusicProbability(rows, 1, all, g)).toBeCloseTo(
      clipMusicProbability(rows, 1, own, g),
      12,
    );
  });

  it('refuses unknown names and vectors of another length', () => {
    expect(() => clipMusicProbability(rows, 1, all, gate(['lowEnergyFrames', 'nope']))).toThrow(
      /nope/,
    );
    expect(() => clipMusicProbability(rows, 1, [1, 2, 3], gate(['a', 'b']))).toThrow(/descriptors/);
    expect(DIM).toBe(rows.length);
  });
});
