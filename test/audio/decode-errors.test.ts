import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { expectCode, FIXTURES, ffmpeg, lenaPath, truncatedBytes } from './helpers.js';

const SR = 22050;
let dir: string;
/** Parent of the decoder's own temporary directories, to check that they are all removed. */
let tmpRoot: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-test-errors-'));
  tmpRoot = path.join(dir, 'decoder-tmp');
  mkdirSync(tmpRoot);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('decodeAudio: inputs that are not usable audio', () => {
  it('rejects a text file named .mp3 with one clear line (E_DECODE)', async () => {
    const file = path.join(dir, 'song.mp3');
    writeFileSync(file, 'this is not an mp3, just some text\n'.repeat(20));
    const error = await expectCode(decodeAudio(file, { sampleRate: SR }), 'E_DECODE');
    expect(error.message).toBe(
      'could not read audio from song.mp3: not an audio file or corrupt; send an audio file (MP3, Ogg, FLAC, WAV, M4A …)',
    );
    expect(String((error.cause as Error).message)).toMatch(/ffmpeg/i);
  });

  it('rejects random bytes (E_DECODE)', async () => {
    const bytes = new Uint8Array(50_000);
    let s = 12345;
    for (let i = 0; i < bytes.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      bytes[i] = s >>> 24;
    }
    const error = await expectCode(
      decodeAudio(bytes, { sampleRate: SR, name: 'x.ogg', tmpRoot }),
      'E_DECODE',
    );
    expect(error.message).toBe(
      'could not read audio from x.ogg: not an audio file or corrupt; send an audio file (MP3, Ogg, FLAC, WAV, M4A …)',
    );
  });

  it('rejects a video without an audio track (E_DECODE)', async () => {
    const file = path.join(dir, 'silent-video.webm');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=d=2:s=32x32:r=5', '-c:v', 'libvpx', file]);
    const error = await expectCode(decodeAudio(file, { sampleRate: SR }), 'E_DECODE');
    expect(error.message).toBe(
      'could not read audio from silent-video.webm: the video has no audio track; send a video with sound or an audio file',
    );
  });

  it('rejects empty input (E_INPUT_EMPTY), bytes or file', async () => {
    await expectCode(decodeAudio(new Uint8Array(0), { sampleRate: SR, tmpRoot }), 'E_INPUT_EMPTY');
    const file = path.join(dir, 'empty.ogg');
    writeFileSync(file, '');
    await expectCode(decodeAudio(file, { sampleRate: SR }), 'E_INPUT_EMPTY');
  });

  it('rejects a missing path (E_NOT_FOUND)', async () => {
    const error = await expectCode(
      decodeAudio(path.join(dir, 'nope.flac'), { sampleRate: SR }),
      'E_NOT_FOUND',
    );
    expect(error.message).toBe('no such file: nope.flac');
  });

  it('rejects input over maxBytes (E_INPUT_TOO_LARGE) without writing it anywhere', async () => {
    const bytes = new Uint8Array(readFileSync(lenaPath('mp3')));
    const error = await expectCode(
      decodeAudio(bytes, { sampleRate: SR, maxBytes: 100_000, tmpRoot, name: 'big.mp3' }),
      'E_INPUT_TOO_LARGE',
    );
    expect(error.message).toMatch(
      /^big\.mp3 is too large \(192\.\d KiB\); the limit is 97\.7 KiB$/,
    );
    await expectCode(
      decodeAudio(lenaPath('wav'), { sampleRate: SR, maxBytes: 1e6 }),
      'E_INPUT_TOO_LARGE',
    );
  });

  it('rejects audio shorter than minDurationS (E_INPUT_DURATION)', async () => {
    const file = path.join(dir, 'blip.wav');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=440:d=0.4', file]);
    const error = await expectCode(decodeAudio(file, { sampleRate: SR }), 'E_INPUT_DURATION');
    expect(error.message).toBe('blip.wav is too short (0.4 s); send at least 1 s of audio');
    const ok = await decodeAudio(file, { sampleRate: SR, minDurationS: 0.2 });
    expect(ok.pcm.length).toBe(Math.round(0.4 * SR));
  });

  it('rejects invalid options (E_CONFIG)', async () => {
    await expectCode(decodeAudio(lenaPath('ogg'), { sampleRate: 0 }), 'E_CONFIG');
    await expectCode(decodeAudio(lenaPath('ogg'), { sampleRate: SR, segments: 0 }), 'E_CONFIG');
  });

  it('rejects with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user went away'));
    await expect(
      decodeAudio(lenaPath('ogg'), { sampleRate: SR, signal: controller.signal }),
    ).rejects.toThrow('user went away');
    const late = new AbortController();
    const pending = decodeAudio(lenaPath('flac'), { sampleRate: SR, signal: late.signal });
    setTimeout(() => late.abort(new Error('cancelled')), 5);
    await expect(pending).rejects.toThrow('cancelled');
  });
});

describe('decodeAudio: truncated files are E_DECODE "truncated or corrupt"', () => {
  // Cut at half their bytes. ffmpeg exits 0 for all of these (see decode.ts for the criterion).
  for (const format of ['ogg', 'opus', 'mp3', 'flac', 'wav', 'aac', 'webm']) {
    it(`${format} cut at half`, async () => {
      const bytes = truncatedBytes(lenaPath(format), 0.5);
      const error = await expectCode(
        decodeAudio(bytes, { sampleRate: SR, name: `cut.${format}`, tmpRoot }),
        'E_DECODE',
      );
      expect(error.message).toBe(
        `could not read audio from cut.${format}: truncated or corrupt; send the complete file again`,
      );
    });
  }

  it('m4a cut at half (index at the end: nothing readable)', async () => {
    const error = await expectCode(
      decodeAudio(truncatedBytes(lenaPath('m4a'), 0.5), {
        sampleRate: SR,
        name: 'cut.m4a',
        tmpRoot,
      }),
      'E_DECODE',
    );
    expect(error.message).toBe(
      'could not read audio from cut.m4a: not an audio file or corrupt; send an audio file (MP3, Ogg, FLAC, WAV, M4A …)',
    );
  });

  it('faststart m4a cut at 70 %', async () => {
    const file = path.join(dir, 'faststart.m4a');
    ffmpeg(['-i', lenaPath('m4a'), '-c', 'copy', '-movflags', '+faststart', file]);
    const cut = path.join(dir, 'faststart-cut.m4a');
    writeFileSync(cut, truncatedBytes(file, 0.7));
    const error = await expectCode(decodeAudio(cut, { sampleRate: SR }), 'E_DECODE');
    expect(error.message).toBe(
      'could not read audio from faststart-cut.m4a: truncated or corrupt; send the complete file again',
    );
  });

  it('Ogg cut at 90 % of a voice note', async () => {
    const bytes = truncatedBytes(path.join(FIXTURES, 'voice-note.ogg'), 0.9);
    await expectCode(decodeAudio(bytes, { sampleRate: SR, tmpRoot }), 'E_DECODE');
  });

  it('accepts an Ogg that ends on a complete page without end-of-stream flag', async () => {
    // What a recorder that was stopped abruptly (or never writes EOS) leaves behind.
    const bytes = readFileSync(path.join(FIXTURES, 'voice-note.ogg'));
    const lastPage = bytes.lastIndexOf(Buffer.from('OggS'));
    const audio = await decodeAudio(bytes.subarray(0, lastPage), { sampleRate: SR, tmpRoot });
    expect(audio.pcm.length / SR).toBeGreaterThan(3.5);
  });

  it('leaves no temporary directory behind', () => {
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});
