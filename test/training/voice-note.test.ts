/**
 * The voice-note chain (noise → band-limit → reverb → gain → 24 kbit/s Opus → decode): the audio
 * comes back about as long as it went in, with the energy above the low-pass cut-off removed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../core/audio/ffmpeg.js';
import {
  addNoise,
  degradeLikeVoiceNote,
  EVALUATION_VOICE_NOTE,
  type VoiceNoteOptions,
} from '../../core/audio/voice-note.js';
import { createRng } from '../../core/util/random.js';

const SR = 22_050;

/** Power of `pcm` at frequency `hz` (Goertzel algorithm), per sample. */
function powerAt(pcm: Float32Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / SR);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / pcm.length;
}

/** `seconds` of a 440 Hz and a 9 kHz sine, each of amplitude 0.3. */
function twoTones(seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => {
    const t = i / SR;
    return 0.3 * Math.sin(2 * Math.PI * 440 * t) + 0.3 * Math.sin(2 * Math.PI * 9000 * t);
  });
}

describe('degradeLikeVoiceNote', () => {
  let ffmpeg: string;

  beforeAll(async () => {
    ffmpeg = (await resolveFfmpeg()).path;
  });

  it('returns about the input length with the band above the low-pass cut-off removed', async () => {
    const input = twoTones(3);
    const options: VoiceNoteOptions = {
      bitrateKbps: 24,
      highpassHz: 100,
      lowpassHz: 3500,
      snrDb: null,
      reverb: null,
      gainDb: 0,
    };
    const output = await degradeLikeVoiceNote(input, SR, options, ffmpeg, createRng(1));
    expect(Math.abs(output.length - input.length)).toBeLessThan(0.1 * SR);
    const ratioIn = powerAt(input, 9000) / powerAt(input, 440);
    const ratioOut = powerAt(output, 9000) / powerAt(output, 440);
    expect(ratioIn).toBeGreaterThan(0.5);
    expect(ratioOut).toBeLessThan(0.01 * ratioIn);
    // The pass band survives.
    expect(powerAt(output, 440)).toBeGreaterThan(0.25 * powerAt(input, 440));
  });

  it('runs the fixed evaluation chain (noise and reverb) without changing the input', async () => {
    const input = twoTones(2);
    const copy = Float32Array.from(input);
    const output = await degradeLikeVoiceNote(
      input,
      SR,
      EVALUATION_VOICE_NOTE,
      ffmpeg,
      createRng(2),
    );
    expect(Array.from(input)).toEqual(Array.from(copy));
    expect(Math.abs(output.length - input.length)).toBeLessThan(0.1 * SR);
    expect(output.every(Number.isFinite)).toBe(true);
    expect(Math.max(...output.map(Math.abs))).toBeLessThanOrEqual(1.01);
  });

  it('shifts pitch by 12 semitones at unchanged duration, and changes tempo', async () => {
    const tone = Float32Array.from(
      { length: 3 * SR },
      (_, i) => 0.4 * Math.sin((2 * Math.PI * 440 * i) / SR),
    );
    const base: VoiceNoteOptions = {
      bitrateKbps: 32,
      highpassHz: 100,
      lowpassHz: 8000,
      snrDb: null,
      reverb: null,
      gainDb: 0,
    };
    const up = await degradeLikeVoiceNote(
      tone,
      SR,
      { ...base, pitchSemitones: 12 },
      ffmpeg,
      createRng(3),
    );
    expect(Math.abs(up.length - tone.length)).toBeLessThan(0.1 * SR);
    expect(powerAt(up, 880)).toBeGreaterThan(20 * powerAt(up, 440));
    const faster = await degradeLikeVoiceNote(
      tone,
      SR,
      { ...base, tempoFactor: 1.25 },
      ffmpeg,
      createRng(3),
    );
    expect(faster.length / tone.length).toBeCloseTo(0.8, 1);
    expect(powerAt(faster, 440)).toBeGreaterThan(20 * powerAt(faster, 880));
  });
});

describe('addNoise', () => {
  it('mixes a given noise at the asked signal-to-noise ratio', () => {
    const signal = twoTones(1);
    const noise = Float32Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 100) / 100 - 0.5);
    const mixed = addNoise(Float32Array.from(signal), 10, createRng(4), noise);
    let s = 0;
    let n = 0;
    for (let i = 0; i < signal.length; i++) {
      s += signal[i]! ** 2;
      n += (mixed[i]! - signal[i]!) ** 2;
    }
    expect(10 * Math.log10(s / n)).toBeCloseTo(10, 1);
  });
});
