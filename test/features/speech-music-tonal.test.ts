/**
 * The tonality and pulse descriptors of core/features/speech-music.ts on synthetic signals whose
 * answers are known: held chords against noise, a click track against clicks at random times,
 * low thumps on the beat against high ones.
 */
import { describe, expect, it } from 'vitest';
import { computeLogMel } from '../../core/features/log-mel.js';
import {
  SPEECH_MUSIC_DESCRIPTORS,
  speechMusicDescriptors,
} from '../../core/features/speech-music.js';
import { createRng } from '../../core/util/random.js';
import { chord, clickTrack, noise, sine } from './signals.js';

const P = {
  sampleRate: 22_050,
  nFft: 1024,
  hopLength: 512,
  nMels: 64,
  fMin: 30,
  fMax: 8000,
  logOffset: 1e-6,
};
const FPS = P.sampleRate / P.hopLength;
const at = (v: Float64Array, name: (typeof SPEECH_MUSIC_DESCRIPTORS)[number]) =>
  v[SPEECH_MUSIC_DESCRIPTORS.indexOf(name)] as number;
const describeClip = (pcm: Float32Array) => speechMusicDescriptors(computeLogMel(pcm, P), FPS);

/** Chords of a I–IV–V–I progression, 0.5 s each, for `seconds`, over faint noise. */
function progression(seconds: number): Float32Array {
  const chords = [
    [60, 64, 67],
    [65, 69, 72],
    [67, 71, 74],
    [60, 64, 67],
  ];
  const out = noise(Math.round(seconds * P.sampleRate), 5).map((x) => 0.003 * x);
  const step = Math.round(0.5 * P.sampleRate);
  for (let i = 0; i * step < out.length; i++) {
    const c = chord(chords[i % chords.length]!, 0.5, P.sampleRate);
    for (let j = 0; j < c.length && i * step + j < out.length; j++) out[i * step + j]! += c[j]!;
  }
  return out;
}

/** 10 ms noise bursts at `times` (seconds), over faint noise. */
function bursts(times: number[], seconds: number): Float32Array {
  const out = noise(Math.round(seconds * P.sampleRate), 9).map((x) => 0.001 * x);
  const burst = noise(Math.round(0.01 * P.sampleRate), 7);
  for (const t of times) {
    const s0 = Math.round(t * P.sampleRate);
    for (let j = 0; j < burst.length && s0 + j < out.length; j++) {
      out[s0 + j]! += 0.8 * burst[j]! * Math.exp(-j / (0.002 * P.sampleRate));
    }
  }
  return out;
}

/** 60 Hz thumps (100 ms, decaying) at `bpm` over steady high noise. */
function lowThumps(bpm: number, seconds: number): Float32Array {
  const out = noise(Math.round(seconds * P.sampleRate), 3).map((x) => 0.05 * x);
  const thump = sine(60, 0.1, P.sampleRate, 0.8);
  const period = (60 / bpm) * P.sampleRate;
  for (let s = 0.1 * P.sampleRate; s < out.length; s += period) {
    const s0 = Math.round(s);
    for (let j = 0; j < thump.length && s0 + j < out.length; j++) {
      out[s0 + j]! += thump[j]! * Math.exp(-j / (0.03 * P.sampleRate));
    }
  }
  return out;
}

describe('tonality and pulse descriptors', () => {
  it('finds held peaks and a peaked spectrum in chords, none in noise', () => {
    const music = describeClip(progression(10));
    const hiss = describeClip(noise(10 * P.sampleRate, 2));
    expect(at(music, 'peakPersistence')).toBeGreaterThan(0.7);
    expect(at(music, 'peakPersistence')).toBeGreaterThan(at(hiss, 'peakPersistence') + 0.3);
    expect(at(music, 'peakiness')).toBeGreaterThan(2 * at(hiss, 'peakiness'));
    expect(at(music, 'spectrumPeakiness')).toBeGreaterThan(5 * at(hiss, 'spectrumPeakiness'));
  });

  it('hears a regular pulse in a click track, not in clicks at random times', () => {
    const regular = describeClip(clickTrack(120, 10, P.sampleRate));
    const rng = createRng(3);
    const times = Array.from({ length: 20 }, () => 0.1 + 9.8 * rng()).sort((a, b) => a - b);
    const random = describeClip(bursts(times, 10));
    expect(at(regular, 'pulseRegularity')).toBeGreaterThan(0.6);
    expect(at(regular, 'pulseRegularity')).toBeGreaterThan(at(random, 'pulseRegularity') + 0.3);
    expect(at(regular, 'tempoSalience')).toBeGreaterThan(at(random, 'tempoSalience') + 0.2);
  });

  it('hears a beat in the low bands only where the low bands keep time', () => {
    const thumps = describeClip(lowThumps(120, 10));
    const clicks = describeClip(clickTrack(120, 10, P.sampleRate));
    expect(at(thumps, 'lowBeatStrength')).toBeGreaterThan(0.5);
    expect(at(describeClip(noise(10 * P.sampleRate, 4)), 'lowBeatStrength')).toBeLessThan(0.3);
    expect(Number.isFinite(at(clicks, 'lowBeatStrength'))).toBe(true);
  });

  it('gives zeros for too short a spectrogram and values within their ranges otherwise', () => {
    const one = speechMusicDescriptors({ data: new Float32Array(64), frames: 1, nMels: 64 }, FPS);
    for (const name of [
      'peakPersistence',
      'pulseRegularity',
      'tempoSalience',
      'lowBeatStrength',
    ] as const) {
      expect(at(one, name)).toBe(0);
    }
    const v = describeClip(progression(5));
    expect(at(v, 'peakPersistence')).toBeLessThanOrEqual(1);
    expect(at(v, 'peakiness')).toBeGreaterThanOrEqual(0);
    expect(at(v, 'pulseRegularity')).toBeLessThanOrEqual(1);
  });
});
