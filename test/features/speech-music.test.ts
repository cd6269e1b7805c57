/**
 * Speech/music descriptors (core/features/speech-music.ts) on real audio: a demo soundtrack, an
 * espeak-ng talker and sox noise, plus synthetic signals with known answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import {
  SPEECH_MUSIC_DESCRIPTORS,
  SPEECH_MUSIC_SIZE,
  speechMusicDescriptors,
} from '../../core/features/speech-music.js';
import { createRng } from '../../core/util/random.js';
import { soxNoise } from '../../training/noise-bank.js';
import { talker } from '../../training/speech.js';
import { demoTrack } from '../helpers/paths.js';
import { clickTrack, noise } from './signals.js';

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

describe('speechMusicDescriptors', () => {
  let music: Float64Array;
  let musicPcm: Float32Array;
  let speech: Float64Array;
  let white: Float64Array;

  beforeAll(async () => {
    const decoded = await decodeAudio(demoTrack('metal_rock__Metal_madness.ogg'), {
      sampleRate: P.sampleRate,
      maxAnalysedS: 10,
      segments: 1,
    });
    musicPcm = decoded.pcm;
    music = describeClip(musicPcm);
    speech = describeClip(await talker('test', 10, P.sampleRate, createRng(4)));
    white = describeClip(await soxNoise('white', 10, P.sampleRate, 1));
  });

  it('returns one finite value per named descriptor', () => {
    for (const v of [music, speech, white]) {
      expect(v).toHaveLength(SPEECH_MUSIC_SIZE);
      for (const x of v) expect(Number.isFinite(x)).toBe(true);
    }
  });

  it('finds the pauses and jumping centroid of speech, the flat spectrum of noise', () => {
    expect(at(speech, 'lowEnergyFrames')).toBeGreaterThan(at(music, 'lowEnergyFrames') + 0.2);
    expect(at(speech, 'centroidSpread')).toBeGreaterThan(at(music, 'centroidSpread'));
    expect(at(white, 'flatness')).toBeGreaterThan(-0.5);
    expect(at(white, 'flatness')).toBeGreaterThan(at(music, 'flatness') + 0.5);
    expect(at(music, 'beatStrength')).toBeGreaterThan(at(speech, 'beatStrength'));
    expect(at(music, 'bandVariation')).toBeGreaterThan(2 * at(white, 'bandVariation'));
    expect(at(speech, 'bandVariation')).toBeGreaterThan(2 * at(white, 'bandVariation'));
  });

  it('hears the beat of a 120 BPM click track and none in white noise', () => {
    const clicks = describeClip(clickTrack(120, 10, P.sampleRate));
    const hiss = describeClip(noise(10 * P.sampleRate, 3));
    expect(at(clicks, 'beatStrength')).toBeGreaterThan(0.6);
    expect(at(hiss, 'beatStrength')).toBeLessThan(0.3);
  });

  it('barely depends on the gain at voice-note levels', () => {
    // Only the log-mel's offset (1e-6) sees the level: 12 dB quieter music moves each value by
    // a few hundredths at most.
    const quieter = describeClip(musicPcm.map((x) => x * 0.25));
    quieter.forEach((v, i) => {
      expect(Math.abs(v - (music[i] as number))).toBeLessThan(0.05 * Math.max(1, Math.abs(v)));
    });
  });

  it('gives zeros, not NaN, for a spectrogram of one frame', () => {
    const v = speechMusicDescriptors({ data: new Float32Array(64), frames: 1, nMels: 64 }, FPS);
    for (const x of v) expect(Number.isNaN(x)).toBe(false);
  });
});
