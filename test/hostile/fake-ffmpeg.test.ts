/**
 * ffmpeg misbehaving, played by test/fixtures/hostile/fake-ffmpeg.sh through `FFMPEG_PATH`: a
 * decoder that hangs (and hides its waiting in a grandchild process), one that crashes, one that
 * floods stdout. Each must end in a coded error within the decode's time cap, leaving no process,
 * no zombie and no temporary file behind; the real ffmpeg then decodes normally again.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { clearFfmpegCache } from '../../core/audio/ffmpeg.js';
import { expectCode, FIXTURES } from '../audio/helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { processesTagged, zombieChildren } from './processes.js';

const FAKE = path.join(REPO_ROOT, 'test', 'fixtures', 'hostile', 'fake-ffmpeg.sh');
const SR = 22050;
/** The clip is mono Ogg Opus, which decodeAudio would decode in process: force the ffmpeg path. */
const VIA_FFMPEG = { sampleRate: SR, decoder: 'ffmpeg' } as const;
const saved = { ...process.env };
let dir: string;
let tmpRoot: string;
let clip: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-test-fake-ffmpeg-'));
  tmpRoot = path.join(dir, 'decoder-tmp');
  mkdirSync(tmpRoot);
  // Ogg Vorbis: always decoded by ffmpeg (mono Ogg Opus voice notes are decoded in process).
  clip = new Uint8Array(readFileSync(path.join(FIXTURES, 'metal-madness-5s.ogg')));
});
afterEach(() => {
  for (const key of ['FFMPEG_PATH', 'FAKE_FFMPEG_MODE', 'FAKE_FFMPEG_TAG']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  clearFfmpegCache();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Points the engine at the fake in `mode`; returns the tag its waiting child carries. */
function useFake(mode: 'hang' | 'crash' | 'flood'): string {
  const tag = `synesthete-fake-ffmpeg-${randomUUID()}`;
  process.env.FFMPEG_PATH = FAKE;
  process.env.FAKE_FFMPEG_MODE = mode;
  process.env.FAKE_FFMPEG_TAG = tag;
  clearFfmpegCache();
  return tag;
}

describe('ffmpeg hanging, crashing or flooding', () => {
  it('a hanging ffmpeg (waiting in a grandchild) is killed at the time cap, with nothing left', async () => {
    const tag = useFake('hang');
    // The bound: the cap is 1.5 s; the test's own timeout (120 s) only catches a real hang.
    const error = await expectCode(
      decodeAudio(clip, { ...VIA_FFMPEG, timeoutMs: 1500, tmpRoot, name: 'clip.ogg' }),
      'E_DECODE_TIMEOUT',
    );
    expect(error.message).toBe(
      'decoding clip.ogg took longer than 1.5 s and was stopped; send a shorter clip or a common format (MP3, Ogg, M4A)',
    );
    expect(processesTagged(tag)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('a crashing ffmpeg (SIGSEGV) is reported as unreadable input, with nothing left', async () => {
    useFake('crash');
    const error = await expectCode(
      decodeAudio(clip, { ...VIA_FFMPEG, tmpRoot, name: 'clip.ogg' }),
      'E_DECODE',
    );
    expect(error.message).toMatch(/^could not read audio from clip\.ogg: /);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('an ffmpeg flooding stdout is cut off at the output cap and refused', async () => {
    useFake('flood');
    const before = process.memoryUsage().rss;
    await expectCode(
      decodeAudio(clip, { ...VIA_FFMPEG, tmpRoot, name: 'clip.ogg', maxAnalysedS: 10 }),
      'E_DECODE',
    );
    // 10 s at 22,050 Hz is under 1 MB of float PCM; the cap is (10 + 1) s of it.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('the real ffmpeg decodes normally afterwards', async () => {
    delete process.env.FFMPEG_PATH;
    clearFfmpegCache();
    const audio = await decodeAudio(clip, { ...VIA_FFMPEG, tmpRoot });
    expect(audio.pcm.length / SR).toBeGreaterThan(3);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});
