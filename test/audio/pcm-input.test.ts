/**
 * PCM handed in already decoded (a Discord voice channel's 48 kHz capture) reaches the model as a
 * file would: `decodePcm` resamples with libswresample's filter, so its 22,050 Hz samples match
 * what the ffmpeg program gives for the same 48 kHz PCM (`-ar 22050`), on real music.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../../core/audio/pcm-input.js';
import { ffmpeg } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

async function f32(file: string): Promise<Float32Array> {
  const bytes = await readFile(file);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

describe('decodePcm', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pcm48: Float32Array;
  let ffmpeg22: Float32Array;

  beforeAll(async () => {
    tmp = await tempDir('pcm-input');
    const at48 = path.join(tmp.dir, '48k.f32');
    const at22 = path.join(tmp.dir, '22k.f32');
    // 15 s of a demo track as a voice channel hands it over: mono float PCM at 48 kHz.
    await ffmpeg([
      ...['-ss', '5', '-t', '15', '-i', demoTrack('electronic__chaos-fog.ogg')],
      ...['-ac', '1', '-ar', '48000', '-f', 'f32le', at48],
    ]);
    // What FFmpeg's resampler makes of those very samples at the model's rate.
    await ffmpeg([
      ...['-f', 'f32le', '-ar', '48000', '-ac', '1', '-i', at48],
      ...['-ar', '22050', '-f', 'f32le', at22],
    ]);
    pcm48 = await f32(at48);
    ffmpeg22 = await f32(at22);
  });

  afterAll(() => tmp.remove());

  it("resamples 48 kHz PCM to 22,050 Hz as FFmpeg's resampler does", () => {
    const out = decodePcm({ pcm: pcm48, sampleRate: 48_000 }, { sampleRate: 22_050 });
    expect(out.decodedBy).toBe('pcm');
    expect(out.sampleRate).toBe(22_050);
    expect(Math.abs(out.pcm.length - ffmpeg22.length)).toBeLessThanOrEqual(1);
    const n = Math.min(out.pcm.length, ffmpeg22.length);
    let maxDiff = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(out.pcm[i]! - ffmpeg22[i]!));
      peak = Math.max(peak, Math.abs(ffmpeg22[i]!));
    }
    expect(peak).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThan(1e-3);
  });
});
