/**
 * Decoded-spectrogram cache for training. Each corpus file is decoded once (up to
 * `maxSecondsPerTrack`, spread over the whole track), passed once through a randomly drawn
 * voice-note chain, and both log-mel spectrograms (clean and degraded, time-aligned) are stored
 * as float32 in one file. Training then never touches ffmpeg.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeAudio } from '../core/audio/decode.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { computeLogMel } from '../core/features/log-mel.js';
import type { LogMelParams } from '../core/model/metadata.js';
import type { CorpusItem } from './corpus.js';
import { createRng } from './random.js';
import { degradeLikeVoiceNote, randomVoiceNoteOptions } from './voice-note.js';

/** One cached track: clean and voice-note spectrograms, frame-aligned. */
export interface CachedTrack {
  readonly file: string;
  readonly group: string;
  readonly frames: number;
  readonly nMels: number;
  /** frames × nMels log-mel of the clean audio. */
  readonly clean: Float32Array;
  /** frames × nMels log-mel of the same audio through a voice-note chain. */
  readonly degraded: Float32Array;
}

/** Options of {@link buildCache}. */
export interface CacheOptions {
  readonly cacheDir: string;
  readonly params: LogMelParams;
  /** Most seconds decoded per track (spread over the track). */
  readonly maxSecondsPerTrack: number;
  /** Files processed at once (ffmpeg runs in child processes, so this uses several cores). */
  readonly concurrency: number;
  readonly seed: number;
  /** Called after each file with (done, total, failed). */
  readonly onProgress?: (done: number, total: number, failed: number) => void;
}

function cacheKey(item: CorpusItem, options: CacheOptions): string {
  return createHash('sha1')
    .update(JSON.stringify([item.file, options.params, options.maxSecondsPerTrack, options.seed]))
    .digest('hex');
}

async function buildOne(
  item: CorpusItem,
  file: string,
  options: CacheOptions,
  ffmpeg: string,
): Promise<CachedTrack> {
  const { params } = options;
  const decoded = await decodeAudio(item.file, {
    sampleRate: params.sampleRate,
    maxAnalysedS: options.maxSecondsPerTrack,
    segments: 4,
    timeoutMs: 120_000,
  });
  const rng = createRng(Number.parseInt(cacheKey(item, options).slice(0, 8), 16));
  const degradedPcm = await degradeLikeVoiceNote(
    decoded.pcm,
    params.sampleRate,
    randomVoiceNoteOptions(rng),
    ffmpeg,
    rng,
  );
  const clean = computeLogMel(decoded.pcm, params);
  const degradedFull = computeLogMel(degradedPcm, params);
  const frames = Math.min(clean.frames, degradedFull.frames);
  const n = params.nMels;
  const data = new Float32Array(2 * frames * n);
  data.set(clean.data.subarray(0, frames * n), 0);
  data.set(degradedFull.data.subarray(0, frames * n), frames * n);
  await writeFile(`${file}.tmp`, Buffer.from(data.buffer));
  await rename(`${file}.tmp`, file);
  return {
    ...item,
    frames,
    nMels: n,
    clean: data.subarray(0, frames * n),
    degraded: data.subarray(frames * n),
  };
}

async function readOne(item: CorpusItem, file: string, nMels: number): Promise<CachedTrack> {
  const buffer = await readFile(file);
  const data = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
  const frames = data.length / (2 * nMels);
  return {
    ...item,
    frames,
    nMels,
    clean: data.subarray(0, frames * nMels),
    degraded: data.subarray(frames * nMels),
  };
}

/**
 * Returns the cached spectrograms of every readable corpus file, computing the missing ones.
 * Unreadable files are skipped and counted, not fatal.
 *
 * @returns the cached tracks (order of `items`, failures left out) and the failures
 */
export async function buildCache(
  items: readonly CorpusItem[],
  options: CacheOptions,
): Promise<{ tracks: CachedTrack[]; failed: Array<{ file: string; error: string }> }> {
  await mkdir(options.cacheDir, { recursive: true });
  const ffmpeg = (await resolveFfmpeg()).path;
  const results: Array<CachedTrack | undefined> = new Array(items.length);
  const failed: Array<{ file: string; error: string }> = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (!item) return;
      const file = path.join(options.cacheDir, `${cacheKey(item, options)}.f32`);
      try {
        results[i] = await readOne(item, file, options.params.nMels).catch(() =>
          buildOne(item, file, options, ffmpeg),
        );
      } catch (error) {
        failed.push({
          file: item.file,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      done++;
      options.onProgress?.(done, items.length, failed.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return {
    tracks: results.filter((t): t is CachedTrack => t !== undefined && t.frames > 0),
    failed,
  };
}
