/**
 * The voice-note chain (noise → band-limit → reverb → gain → 24 kbit/s Opus → decode): the audio
 * comes back about as long as it went in, with the energy above the low-pass cut-off removed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../core/audio/ffmpeg.js';
import { createRng } from '../../training/random.js';
import {
  degradeLikeVoiceNote,
  EVALUATION_VOICE_NOTE,
  randomVoiceNoteOptions,
  VOICE_NOTE_RANGES,
  type VoiceNoteOptions,
  voiceNoteFilter,
} from '../../training/voice-note.js';

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
});

describe('randomVoiceNoteOptions', () => {
  it('draws every parameter inside VOICE_NOTE_RANGES, reproducibly for a seed', () => {
    const r = VOICE_NOTE_RANGES;
    const rng = createRng(5);
    for (let i = 0; i < 200; i++) {
      const o = randomVoiceNoteOptions(rng);
      expect(o.bitrateKbps).toBeGreaterThanOrEqual(r.bitrateKbps[0]);
      expect(o.bitrateKbps).toBeLessThanOrEqual(r.bitrateKbps[1]);
      expect(o.highpassHz).toBeGreaterThanOrEqual(r.highpassHz[0]);
      expect(o.lowpassHz).toBeLessThanOrEqual(r.lowpassHz[1]);
      expect(o.highpassHz).toBeLessThan(o.lowpassHz);
      if (o.snrDb !== null) {
        expect(o.snrDb).toBeGreaterThanOrEqual(r.snrDb[0]);
        expect(o.snrDb).toBeLessThanOrEqual(r.snrDb[1]);
      }
      expect(o.gainDb).toBeGreaterThanOrEqual(r.gainDb[0]);
      expect(o.gainDb).toBeLessThanOrEqual(r.gainDb[1]);
      expect(voiceNoteFilter(o)).toMatch(/^highpass=f=\d+,lowpass=f=\d+,/);
    }
    expect(randomVoiceNoteOptions(createRng(9))).toEqual(randomVoiceNoteOptions(createRng(9)));
  });
});
