/**
 * Hostile inputs against the decoder list (node-av on a decode thread, then the ffmpeg program),
 * each made here: every limit holds whatever the container claims, the engine's thread keeps
 * ticking while a hostile file decodes, a slow decode gives its place back at the time cap, and
 * each refusal is one line saying what to do next. Each case runs through both decoders.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import type { DecoderName } from '../../core/audio/decode-options.js';
import { closeDecodeThreads } from '../../core/audio/decode-threads.js';
import { SynestheteError } from '../../core/util/errors.js';
import { ffmpeg } from '../helpers/audio.js';
import {
  flacClaimingSamples,
  mp3BehindManyId3Frames,
  oggOpusOfOneBytePackets,
  toneFile,
} from '../helpers/hostile-files.js';
import { tempDir } from '../helpers/temp.js';

const SR = 22_050;
const DECODERS: DecoderName[] = ['node-av', 'ffmpeg'];

/** The decode's error, which must be a coded one. */
async function refusal(promise: Promise<unknown>): Promise<SynestheteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SynestheteError);
  return error as SynestheteError;
}

describe('hostile inputs to the decoders', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const f = (name: string) => path.join(tmp.dir, name);

  beforeAll(async () => {
    tmp = await tempDir('decode-limits');
    await writeFile(f('one-byte-packets.opus'), oggOpusOfOneBytePackets(10 * 1024 * 1024, 60));
    const mp3 = await toneFile(tmp.dir, 'tone.mp3', 12);
    await writeFile(f('id3-frames.mp3'), mp3BehindManyId3Frames(100_000, mp3));
    const flac = await toneFile(tmp.dir, 'tone.flac', 12);
    await writeFile(f('corrupt-header.flac'), flacClaimingSamples(flac, 2 ** 36 - 1000));
    // As `ffmpeg -f wav pipe:1` leaves it: RIFF and data sizes 0xFFFFFFFF.
    const streamed = execFileSync(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
        ...['-i', 'sine=frequency=440:duration=12', '-f', 'wav', 'pipe:1'],
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    await writeFile(f('streamed.wav'), streamed);
    await ffmpeg(['-f', 'lavfi', '-i', 'color=red:s=32x32', '-frames:v', '1', f('picture.png')]);
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=44100:duration=600'],
      ...['-c:a', 'flac', f('ten-minutes.flac')],
    ]);
    execFileSync('mkfifo', [f('fifo.ogg')]);
    await symlink('/dev/zero', f('zero.ogg'));
  }, 120_000);
  afterAll(async () => {
    await closeDecodeThreads();
    await tmp.remove();
  });

  it('streamed WAV header: the stream is read, not called truncated', () => {
    expect(streamedWavHeader(f)).toBe(true);
  });

  for (const decoder of DECODERS) {
    describe(`with ${decoder}`, () => {
      it('Ogg Opus of 1-byte packets claiming 60 s: at most maxAnalysedS decoded, in seconds', async () => {
        const started = performance.now();
        const decoded = await decodeAudio(f('one-byte-packets.opus'), {
          sampleRate: SR,
          decoder,
          timeoutMs: 30_000,
        });
        expect(decoded.decodedBy).toBe(decoder);
        expect(decoded.pcm.length).toBeLessThanOrEqual((120 + 1) * SR);
        expect(decoded.sourceDurationS).toBeCloseTo(60, 0);
        // node-av stops a little past the declared duration; the program decodes up to the cap.
        if (decoder === 'node-av') expect(decoded.pcm.length / SR).toBeLessThan(63.5);
        expect(performance.now() - started).toBeLessThan(15_000);
      });

      it('MP3 behind an ID3v2 tag of 100,000 frames: decoded in seconds, not held for the cap', async () => {
        const started = performance.now();
        const decoded = await decodeAudio(f('id3-frames.mp3'), { sampleRate: SR, decoder });
        expect(decoded.pcm.length / SR).toBeCloseTo(12, 0);
        expect(performance.now() - started).toBeLessThan(10_000);
      });

      it('a WAV streamed with RIFF/data sizes 0xFFFFFFFF decodes', async () => {
        const decoded = await decodeAudio(f('streamed.wav'), { sampleRate: SR, decoder });
        expect(decoded.pcm.length / SR).toBeCloseTo(12, 1);
      });

      it('a 12 s FLAC whose header claims hundreds of hours: corrupt header, not "too long"', async () => {
        const error = await refusal(
          decodeAudio(f('corrupt-header.flac'), { sampleRate: SR, decoder }),
        );
        expect(error.code).toBe('E_DECODE');
        expect(error.message).toMatch(
          /^could not read audio from corrupt-header\.flac: its header is corrupt \(it claims \d+ h( \d+ min)? in [\d.]+ KiB\); export or convert the file again$/,
        );
      });

      it('a PNG: a picture, not a recording', async () => {
        const error = await refusal(decodeAudio(f('picture.png'), { sampleRate: SR, decoder }));
        expect(error.message).toBe(
          'could not read audio from picture.png: it is a picture (png), not a recording; send an audio file or a video with sound',
        );
      });

      it('a FIFO or a link to /dev/zero is refused before anything opens it', async () => {
        for (const name of ['fifo.ogg', 'zero.ogg']) {
          const started = performance.now();
          const error = await refusal(decodeAudio(f(name), { sampleRate: SR, decoder }));
          expect(error.code).toBe('E_NOT_FOUND');
          expect(error.message).toMatch(/is not a regular file/);
          expect(performance.now() - started).toBeLessThan(2_000);
        }
      });

      it('a slow decode gives its place back at the time cap', async () => {
        const timeoutMs = 300;
        const started = performance.now();
        const error = await refusal(
          decodeAudio(f('ten-minutes.flac'), {
            sampleRate: SR,
            decoder,
            maxAnalysedS: 600,
            segments: 1,
            timeoutMs,
          }),
        );
        const elapsed = performance.now() - started;
        expect(error.code).toBe('E_DECODE_TIMEOUT');
        expect(elapsed).toBeLessThan(timeoutMs + 1_000);
      });
    });
  }

  it("node-av decodes off the engine's thread: a timer keeps ticking through a hostile file", async () => {
    // Warm a decode thread first, so that only the decode itself is measured.
    await decodeAudio(f('streamed.wav'), { sampleRate: SR, decoder: 'node-av' });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    delay.enable();
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      await decodeAudio(f('one-byte-packets.opus'), { sampleRate: SR, decoder: 'node-av' });
      await decodeAudio(f('id3-frames.mp3'), { sampleRate: SR, decoder: 'node-av' });
    }
    const elapsed = performance.now() - started;
    delay.disable();
    clearInterval(timer);
    const maxMs = delay.max / 1e6;
    // The decodes themselves take hundreds of milliseconds; the thread stalls for far less.
    expect(
      maxMs,
      `longest event-loop stall ${maxMs.toFixed(0)} ms in ${elapsed.toFixed(0)} ms`,
    ).toBeLessThan(200);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
  });

  it('a directory or missing file is refused with its own message', async () => {
    await mkdir(f('folder.ogg'));
    const folder = await refusal(decodeAudio(f('folder.ogg'), { sampleRate: SR }));
    expect(folder.message).toBe('folder.ogg is a folder; give the path of an audio file');
  });
});

/** True when the streamed WAV made above carries the streaming writer's placeholder sizes. */
function streamedWavHeader(at: (name: string) => string): boolean {
  const head = execFileSync('head', ['-c', '12', at('streamed.wav')]);
  return head.readUInt32LE(4) === 0xffffffff;
}
