import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { planSegments } from '../../core/audio/segment-plan.js';
import { expectCode, ffmpeg, ffmpegChildren } from './helpers.js';

const SR = 22050;
const LONG_S = 600;
let dir: string;
let longFile: string;
let tmpRoot: string;

/** Frequency of the test chirp at time t: sin(2π(200 + t)t) has instantaneous frequency 200 + 2t. */
const chirpHz = (t: number): number => 200 + 2 * t;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-test-long-'));
  tmpRoot = path.join(dir, 'decoder-tmp');
  mkdirSync(tmpRoot);
  longFile = path.join(dir, 'ten-minutes.ogg');
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=0.5*sin(2*PI*(200+t)*t):s=8000:d=${LONG_S}`,
    '-c:a',
    'libvorbis',
    '-q:a',
    '0',
    longFile,
  ]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planSegments', () => {
  it('keeps a short source whole and spreads segments over a long one', () => {
    expect(planSegments(30, 120, 6)).toEqual([{ startS: 0, lengthS: 120 }]);
    expect(planSegments(null, 120, 6)).toEqual([{ startS: 0, lengthS: 120 }]);
    const spans = planSegments(600, 60, 6);
    expect(spans.map((s) => s.startS)).toEqual([45, 145, 245, 345, 445, 545]);
    expect(spans.every((s) => s.lengthS === 10)).toBe(true);
  });
});

describe('decodeAudio: long sources', () => {
  it('decodes 6 segments spread over the whole 10-minute track', async () => {
    const audio = await decodeAudio(longFile, { sampleRate: SR, maxAnalysedS: 60 });
    expect(audio.sourceDurationS).toBeCloseTo(LONG_S, 0);
    expect(audio.segments).toHaveLength(6);
    expect(audio.pcm.length / SR).toBeCloseTo(60, 0);
    const starts = audio.segments.map((s) => s.sourceStartS);
    expect(starts[0]).toBeLessThan(LONG_S / 6);
    expect(starts[5]! + 10).toBeGreaterThan((5 * LONG_S) / 6);
    let offset = 0;
    for (const segment of audio.segments) {
      expect(segment.offset).toBe(offset);
      expect(segment.length / SR).toBeCloseTo(10, 1);
      offset += segment.length;
      // The chirp's frequency tells where in the source each segment really came from.
      let crossings = 0;
      for (let i = segment.offset + 1; i < segment.offset + segment.length; i++) {
        if (audio.pcm[i - 1]! < 0 !== audio.pcm[i]! < 0) crossings++;
      }
      const measuredHz = crossings / 2 / (segment.length / SR);
      expect(Math.abs(measuredHz - chirpHz(segment.sourceStartS + 5))).toBeLessThan(10);
    }
    expect(offset).toBe(audio.pcm.length);
  });

  it('rejects a source longer than maxDurationS (E_INPUT_DURATION)', async () => {
    const error = await expectCode(
      decodeAudio(longFile, { sampleRate: SR, maxDurationS: 300 }),
      'E_INPUT_DURATION',
    );
    expect(error.message).toBe('ten-minutes.ogg is too long (10 min); the limit is 5 min');
  });

  it('kills ffmpeg on timeout (E_DECODE_TIMEOUT): no child left, no temporary directory', async () => {
    // Decoding all 600 s takes seconds, so the kill lands in the middle of the decode.
    const bytes = new Uint8Array(readFileSync(longFile));
    let seen = 0;
    const poll = setInterval(() => {
      seen = Math.max(seen, ffmpegChildren().length);
    }, 10);
    // 150 ms: the whole decode takes ≥ 300 ms even on an idle core, so the kill lands mid-decode.
    const error = await expectCode(
      decodeAudio(bytes, {
        sampleRate: SR,
        maxAnalysedS: LONG_S,
        timeoutMs: 150,
        tmpRoot,
        decoder: 'ffmpeg',
      }),
      'E_DECODE_TIMEOUT',
    ).finally(() => clearInterval(poll));
    expect(seen).toBeGreaterThan(0);
    expect(error.message).toBe(
      'decoding the input took longer than 150 ms and was stopped; send a shorter clip or a common format (MP3, Ogg, M4A)',
    );
    expect(ffmpegChildren()).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});
