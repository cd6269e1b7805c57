import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oggTailTruncated } from '../../core/audio/container-check.js';
import { parseProbeOutput } from '../../core/audio/probe.js';
import { FIXTURES } from './helpers.js';

describe('parseProbeOutput', () => {
  it('reads format, duration and streams', () => {
    const probe = parseProbeOutput(
      [
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/tmp/x/input.m4a':",
        '  Duration: 00:03:25.47, start: 0.000000, bitrate: 129 kb/s',
        '  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp',
        '  Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj420p, 600x600, 90k tbn (attached pic)',
        'At least one output file must be specified',
      ].join('\n'),
    );
    expect(probe.format).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(probe.durationS).toBeCloseTo(205.47, 5);
    expect(probe.audioStreams).toBe(1);
    expect(probe.hasVideo).toBe(false);
    expect(probe.durationEstimated).toBe(false);
  });

  it('reads only the input block of a decoding run', () => {
    const probe = parseProbeOutput(
      [
        "Input #0, ogg, from 'file:/tmp/a.ogg':",
        '  Duration: 00:00:30.00, start: 0.000000, bitrate: 112 kb/s',
        '  Stream #0:0: Audio: vorbis, 44100 Hz, stereo, fltp, 112 kb/s',
        'Stream mapping:',
        '  Stream #0:0 -> #0:0 (vorbis (native) -> pcm_f32le (native))',
        "Output #0, f32le, to 'pipe:1':",
        '  Stream #0:0: Audio: pcm_f32le, 22050 Hz, mono, flt, 705 kb/s',
        '  Stream #0:1: Video: none',
      ].join('\n'),
    );
    expect(probe.audioStreams).toBe(1);
    expect(probe.hasVideo).toBe(false);
    expect(probe.durationS).toBe(30);
  });

  it('handles N/A durations, estimates, real video, and unreadable input', () => {
    const webm = parseProbeOutput(
      [
        "Input #0, matroska,webm, from 'file:/tmp/a.webm':",
        '  Duration: N/A, start: 0.000000, bitrate: N/A',
        '  Stream #0:0: Video: vp8, yuv420p(progressive), 640x480, 30 fps',
        '  Stream #0:1: Audio: opus, 48000 Hz, mono, fltp (default)',
      ].join('\n'),
    );
    expect(webm.durationS).toBeNull();
    expect(webm.hasVideo).toBe(true);
    const aac = parseProbeOutput(
      "[aac @ 0x1] Estimating duration from bitrate, this may be inaccurate\nInput #0, aac, from 'file:/a.aac':\n  Duration: 00:00:12.28, bitrate: 71 kb/s\n  Stream #0:0: Audio: aac (LC), 44100 Hz, mono, fltp, 71 kb/s",
    );
    expect(aac.durationEstimated).toBe(true);
    const text = parseProbeOutput('/tmp/x.mp3: Invalid data found when processing input');
    expect(text.format).toBeNull();
    expect(text.audioStreams).toBe(0);
  });
});

describe('oggTailTruncated', () => {
  const ogg = readFileSync(path.join(FIXTURES, 'voice-note.ogg'));

  it('accepts a complete file and a file ending on a page boundary', () => {
    expect(oggTailTruncated(ogg)).toBe(false);
    expect(oggTailTruncated(ogg.subarray(0, ogg.lastIndexOf(Buffer.from('OggS'))))).toBe(false);
  });

  it('detects a cut inside the last page, or inside its header', () => {
    expect(oggTailTruncated(ogg.subarray(0, ogg.length - 1))).toBe(true);
    expect(oggTailTruncated(ogg.subarray(0, Math.floor(ogg.length / 2)))).toBe(true);
    const lastPage = ogg.lastIndexOf(Buffer.from('OggS'));
    expect(oggTailTruncated(ogg.subarray(0, lastPage + 10))).toBe(true);
  });
});
