import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { FIXTURES, LENA_SECONDS, lenaPath, pearson } from './helpers.js';

const SR = DEFAULT_LOG_MEL.sampleRate;

describe('decodeAudio: formats (audio-lena, 12.27 s)', () => {
  for (const format of ['mp3', 'ogg', 'opus', 'flac', 'wav', 'm4a', 'aac', 'webm']) {
    it(`decodes ${format} to ≈ 12.3 s of mono PCM at ${SR} Hz`, async () => {
      const audio = await decodeAudio(lenaPath(format), { sampleRate: SR });
      expect(audio.sampleRate).toBe(SR);
      expect(audio.pcm.length / SR).toBeGreaterThan(LENA_SECONDS - 0.1);
      expect(audio.pcm.length / SR).toBeLessThan(LENA_SECONDS + 0.1);
      expect(audio.sourceDurationS).toBeCloseTo(LENA_SECONDS, 0);
      expect(audio.segments).toEqual([{ sourceStartS: 0, offset: 0, length: audio.pcm.length }]);
      let peak = 0;
      for (const v of audio.pcm) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeGreaterThan(0.1);
      expect(peak).toBeLessThanOrEqual(1);
    });
  }

  it('decodes bytes (M4A with its index at the end) through a temporary file', async () => {
    const bytes = new Uint8Array(readFileSync(lenaPath('m4a')));
    const audio = await decodeAudio(bytes, { sampleRate: 16000, name: 'upload.m4a' });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.pcm.length / 16000).toBeCloseTo(LENA_SECONDS, 1);
  });

  it('gives the same log-mel for different encodings of the same audio', async () => {
    const [mp3, ogg, opus] = await Promise.all(
      ['mp3', 'ogg', 'opus'].map((f) => decodeAudio(lenaPath(f), { sampleRate: SR })),
    );
    const a = computeLogMel(mp3!.pcm, DEFAULT_LOG_MEL);
    const b = computeLogMel(ogg!.pcm, DEFAULT_LOG_MEL);
    const c = computeLogMel(opus!.pcm, DEFAULT_LOG_MEL);
    const n = Math.min(a.data.length, b.data.length, c.data.length);
    expect(pearson(a.data, b.data, n)).toBeGreaterThan(0.9);
    expect(pearson(b.data, c.data, n)).toBeGreaterThan(0.9);
  });

  it('decodes a short phone-style voice note (Ogg Opus, 16 kHz mono, 24 kbit/s)', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'voice-note.ogg')));
    const audio = await decodeAudio(bytes, { sampleRate: SR, name: 'voice.ogg' });
    expect(audio.pcm.length / SR).toBeCloseTo(5, 1);
  });

  it('downmixes a stereo Vorbis clip; decode time of the 5 s fixture is reported', async () => {
    const file = path.join(FIXTURES, 'metal-madness-5s.ogg');
    const t0 = performance.now();
    const audio = await decodeAudio(file, { sampleRate: SR });
    const ms = performance.now() - t0;
    console.log(`decode of a 5 s stereo Ogg Vorbis: ${ms.toFixed(0)} ms`);
    expect(audio.pcm.length / SR).toBeCloseTo(5, 1);
    let energy = 0;
    for (const v of audio.pcm) energy += v * v;
    expect(energy / audio.pcm.length).toBeGreaterThan(1e-3);
  });
});
