/**
 * Tonality statistics (core/features/tonality.ts) on signals whose answer is known — held chords,
 * a chord progression, noise, a major and a minor triad — and on real music at two sample rates;
 * and its chroma taken from the spectral descriptors' STFT, the same as from its own.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { spectralDescriptors } from '../../core/features/descriptors.js';
import {
  TONALITY_NAMES,
  TONALITY_SIZE,
  tonalityChroma,
  tonalityStatistics,
  tonalityStatisticsOfChroma,
} from '../../core/features/tonality.js';
import { fingerprintPcm } from '../../core/fingerprint/fingerprint.js';
import { demoTrack } from '../helpers/paths.js';
import { midiHz, noise, sine } from './signals.js';

const SR = 22_050;
const at = (v: Float32Array, name: (typeof TONALITY_NAMES)[number]) =>
  v[TONALITY_NAMES.indexOf(name)]!;

/** Sum of sines of MIDI notes, `seconds` long, peak below 1. */
function chord(notes: readonly number[], seconds: number, sampleRate = SR): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (const n of notes) {
    const s = sine(midiHz(n), seconds, sampleRate, 0.9 / notes.length);
    for (let i = 0; i < out.length; i++) out[i]! += s[i]!;
  }
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at0 = 0;
  for (const p of parts) {
    out.set(p, at0);
    at0 += p.length;
  }
  return out;
}

describe('tonalityStatistics', () => {
  it('gives low chroma entropy and no flux for a held triad, high entropy for noise', () => {
    const triad = tonalityStatistics([{ pcm: chord([60, 64, 67], 8), sampleRate: SR }]);
    const hiss = tonalityStatistics([{ pcm: noise(8 * SR, 5), sampleRate: SR }]);
    expect(triad).toHaveLength(TONALITY_SIZE);
    // Three pitch classes hold almost all the energy: entropy near ln 3, far below ln 12.
    expect(at(triad, 'entropyMean')).toBeLessThan(Math.log(3) + 0.35);
    expect(at(hiss, 'entropyMean')).toBeGreaterThan(Math.log(12) - 0.15);
    expect(at(triad, 'flux1Mean')).toBeLessThan(0.05);
    expect(at(triad, 'maxShareMean')).toBeGreaterThan(at(hiss, 'maxShareMean') + 0.15);
    expect(at(triad, 'tonalCentroidNorm')).toBeGreaterThan(at(hiss, 'tonalCentroidNorm') + 0.2);
  });

  it('measures harmonic change: chords every second move the chroma, a held chord does not', () => {
    const progression = concat(
      [
        [60, 64, 67],
        [65, 69, 72],
        [67, 71, 74],
        [57, 60, 64],
      ].flatMap((notes) => [chord(notes, 1)]),
    );
    const moving = tonalityStatistics([
      { pcm: concat([progression, progression]), sampleRate: SR },
    ]);
    const held = tonalityStatistics([{ pcm: chord([60, 64, 67], 8), sampleRate: SR }]);
    expect(at(moving, 'flux5Mean')).toBeGreaterThan(0.5);
    expect(at(moving, 'flux5Mean')).toBeGreaterThan(at(held, 'flux5Mean') + 0.4);
    expect(at(moving, 'tonalCentroidFlux')).toBeGreaterThan(at(held, 'tonalCentroidFlux'));
  });

  it('tells a major triad from a minor one', () => {
    const major = tonalityStatistics([{ pcm: chord([57, 61, 64], 6), sampleRate: SR }]); // A major
    const minor = tonalityStatistics([{ pcm: chord([57, 60, 64], 6), sampleRate: SR }]); // A minor
    expect(at(major, 'majorMinusMinor')).toBeGreaterThan(0);
    expect(at(minor, 'majorMinusMinor')).toBeLessThan(0);
    expect(at(major, 'keyClarity')).toBeGreaterThan(0.5);
  });

  it('gives zeros for silence and for audio shorter than a frame', () => {
    expect([...tonalityStatistics([{ pcm: new Float32Array(4 * SR), sampleRate: SR }])]).toEqual(
      new Array(TONALITY_SIZE).fill(0),
    );
    expect([...tonalityStatistics([{ pcm: chord([60], 0.1), sampleRate: SR }])]).toEqual(
      new Array(TONALITY_SIZE).fill(0),
    );
    expect([...tonalityStatistics([])]).toEqual(new Array(TONALITY_SIZE).fill(0));
  });

  it('agrees between 22,050 and 44,100 Hz decodes of the same music', async () => {
    const file = demoTrack('ambient_electronic__Aberrations.ogg');
    const [low, high] = await Promise.all(
      [22_050, 44_100].map((sampleRate) => decodeAudio(file, { sampleRate, maxAnalysedS: 20 })),
    );
    const a = tonalityStatistics([{ pcm: low!.pcm, sampleRate: 22_050 }]);
    const b = tonalityStatistics([{ pcm: high!.pcm, sampleRate: 44_100 }]);
    for (let d = 0; d < TONALITY_SIZE; d++) {
      expect(Math.abs(a[d]! - b[d]!), TONALITY_NAMES[d]).toBeLessThan(
        0.05 * Math.max(1, Math.abs(a[d]!)),
      );
    }
    // Real music is neither a held chord nor noise.
    expect(at(a, 'entropyMean')).toBeGreaterThan(Math.log(3));
    expect(at(a, 'entropyMean')).toBeLessThan(Math.log(12));
  });

  it("agrees when the stripes' chroma comes from the fingerprint's 11,025 Hz audio", async () => {
    // Two stretches of one track at 44,100 Hz, as a catalogue track's stripes are decoded.
    const decoded = await decodeAudio(demoTrack('fantasy_rpg__town_theme.ogg'), {
      sampleRate: 44_100,
      maxAnalysedS: 16,
      segments: 2,
    });
    expect(decoded.segments).toHaveLength(2);
    const stretches = decoded.segments.map((s) => ({
      offset: s.offset,
      length: s.length,
      sourceStartS: s.sourceStartS,
    }));
    const direct = tonalityStatistics(
      stretches.map((s) => ({
        pcm: decoded.pcm.subarray(s.offset, s.offset + s.length),
        sampleRate: 44_100,
      })),
    );
    const printed = fingerprintPcm(decoded.pcm, 44_100, stretches, { chroma: true });
    expect(printed.chroma).toHaveLength(2);
    const shared = tonalityStatisticsOfChroma(printed.chroma ?? []);
    for (let d = 0; d < TONALITY_SIZE; d++) {
      expect(Math.abs(shared[d]! - direct[d]!), TONALITY_NAMES[d]).toBeLessThan(
        0.05 * Math.max(1, Math.abs(direct[d]!)),
      );
    }
    // The landmarks are those of the fingerprint without chroma.
    const plain = fingerprintPcm(decoded.pcm, 44_100, stretches);
    expect(Array.from(printed.hashes)).toEqual(Array.from(plain.hashes));
    expect(Array.from(printed.times)).toEqual(Array.from(plain.times));
  });
});

describe('the tonality chroma from the spectral descriptors’ STFT', () => {
  it('is the chroma of its own STFT, bit for bit, on real music at 22,050 and 44,100 Hz', async () => {
    for (const sampleRate of [22_050, 44_100]) {
      const { pcm } = await decodeAudio(demoTrack('electronic__subcities.ogg'), {
        sampleRate,
        maxAnalysedS: 15,
        segments: 1,
      });
      const own = tonalityChroma({ pcm, sampleRate });
      expect(own.energy.length, `${sampleRate} Hz`).toBeGreaterThan(100);
      for (const flatness of [false, true]) {
        const shared = spectralDescriptors(pcm, sampleRate, { flatness, tonality: true });
        expect(shared.tonalityChroma, `${sampleRate} Hz, flatness ${flatness}`).toEqual(own);
      }
      expect(
        spectralDescriptors(pcm, sampleRate, { flatness: false }).tonalityChroma,
      ).toBeUndefined();
    }
  });

  it('has no frames for a segment shorter than one frame, as its own has none', () => {
    const short = sine(440, 0.1, SR, 0.5);
    const shared = spectralDescriptors(short, SR, { flatness: false, tonality: true });
    expect(shared.tonalityChroma).toEqual(tonalityChroma({ pcm: short, sampleRate: SR }));
    expect(shared.tonalityChroma?.energy.length).toBe(0);
  });
});
