import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeOggOpusMono, isOggOpus } from '../../core/audio/opus-decode.js';
import { resamplePcm } from '../../core/audio/resample.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { FIXTURES } from './helpers.js';

const SR = DEFAULT_LOG_MEL.sampleRate;
/** A real 24 kbit/s mono Ogg Opus voice note (test/fixtures/audio/ATTRIBUTION.md). */
const VOICE_NOTE = path.join(FIXTURES, 'voice-note.ogg');

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('in-process Ogg Opus decoding', () => {
  it('gives what ffmpeg gives: same length, same spectrogram within codec-decoder tolerance', async () => {
    const bytes = readFileSync(VOICE_NOTE);
    expect(isOggOpus(bytes)).toBe(true);
    const ours = await decodeAudio(bytes, { sampleRate: SR });
    const ffmpeg = await decodeAudio(bytes, { sampleRate: SR, inProcess: false });
    // Same trimming (pre-skip, end trimming by granule position); ±1 sample of resampler rounding.
    expect(Math.abs(ours.pcm.length - ffmpeg.pcm.length)).toBeLessThanOrEqual(1);
    expect(ours.segments).toHaveLength(1);
    // ffmpeg's own Opus decoder and libopus differ slightly in SILK mode; the waveforms still agree.
    expect(correlation(ours.pcm, ffmpeg.pcm)).toBeGreaterThan(0.95);
    const a = computeLogMel(ours.pcm, DEFAULT_LOG_MEL);
    const b = computeLogMel(ffmpeg.pcm, DEFAULT_LOG_MEL);
    expect(correlation(a.data, b.data)).toBeGreaterThan(0.995);
  });

  it('refuses what it does not handle, so ffmpeg decodes it', async () => {
    const bytes = readFileSync(VOICE_NOTE);
    expect(
      await decodeOggOpusMono(readFileSync(path.join(FIXTURES, 'metal-madness-5s.ogg')), SR),
    ).toBeNull();
    // Cut in the middle of a page: the truncation check of the ffmpeg path must still answer.
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    expect(await decodeOggOpusMono(cut, SR)).toBeNull();
    await expect(decodeAudio(cut, { sampleRate: SR, name: 'cut.ogg' })).rejects.toMatchObject({
      code: 'E_DECODE',
    });
    // Longer than allowed here: left to ffmpeg's segmenting path.
    expect(await decodeOggOpusMono(bytes, SR, 1)).toBeNull();
  });

  it('resamples like libswresample: a 1 kHz tone keeps its level and frequency', () => {
    const from = 24_000;
    const tone = Float32Array.from(
      { length: from },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / from),
    );
    const out = resamplePcm(tone, from, SR);
    expect(out.length).toBe(SR);
    let maxError = 0;
    for (let i = 200; i < out.length - 200; i++) {
      maxError = Math.max(
        maxError,
        Math.abs(out[i]! - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR)),
      );
    }
    expect(maxError).toBeLessThan(1e-3);
  });
});
