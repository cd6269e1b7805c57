/**
 * A short Ogg clip decoded in two halves at once (core/audio/decode-halves.ts): when it applies,
 * and that the joined PCM of a real voice note and of real music is the PCM of one decode — the
 * same length and segments, equal but for the few samples where the second half's sample-rate
 * converter starts.
 */

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { halfRequests, halvesAt, joinHalves } from '../../core/audio/decode-halves.js';
import { resolveLimits } from '../../core/audio/decode-options.js';
import { closeDecodeThreads } from '../../core/audio/decode-threads.js';
import { resolveFfmpeg } from '../../core/audio/ffmpeg.js';
import type { NodeAvReply } from '../../core/audio/node-av-protocol.js';
import { DEMO_TRACKS_DIR, REPO_ROOT } from '../helpers/paths.js';

const VOICE_NOTE = path.join(REPO_ROOT, 'data', 'demo', 'queries', 'voice-note.ogg'); // 10 s Opus
const VORBIS = path.join(DEMO_TRACKS_DIR, 'electronic__subcities.ogg'); // 30 s Vorbis
const SHORT = path.join(REPO_ROOT, 'test', 'fixtures', 'audio', 'metal-madness-5s.ogg');

let dir: string;
let wav: string;
let short3s: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'synesthete-halves-'));
  wav = path.join(dir, 'voice-note.wav');
  short3s = path.join(dir, 'short.ogg');
  const { path: ffmpeg } = await resolveFfmpeg();
  execFileSync(ffmpeg, ['-v', 'error', '-i', VOICE_NOTE, '-y', wav]);
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-i',
    VOICE_NOTE,
    '-t',
    '3',
    '-c:a',
    'libopus',
    '-y',
    short3s,
  ]);
});

afterAll(async () => {
  await closeDecodeThreads();
  await rm(dir, { recursive: true, force: true });
});

describe('halvesAt', () => {
  const limits = resolveLimits({ sampleRate: 22_050 });

  it('cuts a short Ogg Opus or Vorbis clip at the whole second nearest its middle, on decode threads and two cores', async () => {
    expect(await halvesAt(VOICE_NOTE, limits, true, 2)).toBe(5); // 10.07 s
    expect(await halvesAt(VORBIS, limits, true, 2)).toBe(15);
  });

  it('decodes in one piece otherwise', async () => {
    expect(await halvesAt(VOICE_NOTE, limits, false, 2), 'in place').toBeNull();
    expect(await halvesAt(VOICE_NOTE, limits, true, 1), 'one core').toBeNull();
    expect(await halvesAt(wav, limits, true, 2), 'not Ogg').toBeNull();
    expect(await halvesAt(short3s, limits, true, 2), 'under 4 s').toBeNull();
    const off = resolveLimits({ sampleRate: 22_050, halves: false });
    expect(await halvesAt(VOICE_NOTE, off, true, 2), 'halves: false').toBeNull();
    const later = resolveLimits({ sampleRate: 22_050, startS: 2 });
    expect(await halvesAt(VOICE_NOTE, later, true, 2), 'from 2 s').toBeNull();
    const longer = resolveLimits({ sampleRate: 22_050, maxAnalysedS: 8 });
    expect(await halvesAt(VOICE_NOTE, longer, true, 2), 'longer than maxAnalysedS').toBeNull();
    expect(await halvesAt(SHORT, limits, true, 2), '5 s: halved').not.toBeNull();
  });
});

describe('joinHalves', () => {
  const request = {
    file: VOICE_NOTE,
    sampleRate: 22_050,
    startS: 0,
    maxAnalysedS: 120,
    segments: 6,
    maxDurationS: 3600,
    maxReadBytes: 1e6,
    skipBytes: 0,
  };

  it('asks for the two halves of the one-piece decode', () => {
    const [first, second] = halfRequests(request, 5);
    expect(first).toMatchObject({ startS: 0, maxAnalysedS: 5, segments: 1 });
    expect(second).toMatchObject({ startS: 5, maxAnalysedS: 115, segments: 1 });
  });

  it('joins two decoded halves end to end, and gives up on anything else', () => {
    const half = (startS: number, values: number[], corrupt: boolean): NodeAvReply => ({
      kind: 'decoded',
      probe: {} as never,
      spans: [{ startS, lengthS: 5 }],
      pcm: Float32Array.from(values),
      lengths: [values.length],
      corrupt,
      readBytes: 10,
    });
    const joined = joinHalves(half(0, [1, 2], false), half(5, [3], true));
    expect(joined).toMatchObject({
      kind: 'decoded',
      spans: [{ startS: 0, lengthS: 10 }],
      lengths: [3],
      corrupt: true,
      readBytes: 20,
    });
    expect(Array.from((joined as { pcm: Float32Array }).pcm)).toEqual([1, 2, 3]);
    expect(joinHalves(half(0, [1], false), { kind: 'unreadable', reason: 'x' })).toBeNull();
    expect(joinHalves({ kind: 'stopped' }, half(5, [1], false))).toBeNull();
  });
});

describe('decodeAudio in halves', () => {
  for (const [what, file] of [
    ['a 10 s Opus voice note', VOICE_NOTE],
    ['30 s of Vorbis music', VORBIS],
  ] as const) {
    it.skipIf(os.availableParallelism() < 2)(
      `gives the PCM of one decode for ${what}`,
      async () => {
        const one = await decodeAudio(file, { sampleRate: 22_050, halves: false });
        const halves = await decodeAudio(file, { sampleRate: 22_050 });
        expect(halves.decodedBy).toBe('node-av');
        expect(halves.pcm.length).toBe(one.pcm.length);
        expect(halves.segments).toEqual(one.segments);
        expect(halves.sourceDurationS).toBe(one.sourceDurationS);
        // Equal but within 10 ms of the cut, where the second half's converter starts afresh.
        const cut = 22_050 * (file === VOICE_NOTE ? 5 : 15);
        let signal = 0;
        let error = 0;
        let differentFar = 0;
        for (let i = 0; i < one.pcm.length; i++) {
          const d = one.pcm[i]! - halves.pcm[i]!;
          signal += one.pcm[i]! ** 2;
          error += d * d;
          if (Math.abs(i - cut) > 220 && Math.abs(d) > 1e-4) differentFar++;
        }
        expect(10 * Math.log10(signal / error)).toBeGreaterThan(50);
        expect(differentFar).toBe(0);
      },
    );
  }
});
