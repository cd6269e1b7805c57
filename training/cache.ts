/**
 * Decoded-spectrogram cache for training. Each corpus file is decoded once (up to
 * `maxSecondsPerTrack`, spread over the whole track) and passed through
 * `AUDIO_AUGMENTATIONS.views` independently drawn voice-note chains (training/augmentations.ts);
 * the clean log-mel spectrogram and each degraded one are stored as float32 in one file, with the
 * views' tempo factors in a JSON beside it. Training then never touches ffmpeg.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeAudio } from '../core/audio/decode.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { degradeLikeVoiceNote } from '../core/audio/voice-note.js';
import { computeLogMel } from '../core/features/log-mel.js';
import type { LogMelParams } from '../core/features/log-mel-params.js';
import { createRng } from '../core/util/random.js';
import { AUDIO_AUGMENTATIONS, drawAugmentation } from './augmentations.js';
import type { CorpusItem } from './corpus.js';
import type { NoiseBank } from './noise-bank.js';

/** One view of a track through a voice-note chain. */
export interface DegradedView {
  /** viewFrames × nMels log-mel. */
  readonly data: Float32Array;
  readonly frames: number;
  /** Tempo factor of the chain: clean frame t is at frame t / tempo of this view. */
  readonly tempo: number;
}

/** One cached track: the clean spectrogram and its voice-note views. */
export interface CachedTrack {
  readonly file: string;
  readonly group: string;
  readonly frames: number;
  readonly nMels: number;
  /** frames × nMels log-mel of the clean audio. */
  readonly clean: Float32Array;
  /** The same audio through independently drawn voice-note chains (at least one). */
  readonly degraded: readonly DegradedView[];
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
  /** Noises the chains mix in; absent: pink noise only. */
  readonly noiseBank?: NoiseBank;
  /** Called after each file with (done, total, failed). */
  readonly onProgress?: (done: number, total: number, failed: number) => void;
}

function cacheKey(item: CorpusItem, options: CacheOptions): string {
  return createHash('sha1')
    .update(
      JSON.stringify([
        'v2',
        item.file,
        options.params,
        options.maxSecondsPerTrack,
        options.seed,
        AUDIO_AUGMENTATIONS,
      ]),
    )
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
  const clean = computeLogMel(decoded.pcm, params);
  const n = params.nMels;
  const parts: Float32Array[] = [clean.data.subarray(0, clean.frames * n)];
  const views: Array<{ frames: number; tempo: number }> = [];
  for (let v = 0; v < AUDIO_AUGMENTATIONS.views; v++) {
    const draw = drawAugmentation(rng);
    const sources = draw.noiseKind ? (options.noiseBank?.get(draw.noiseKind) ?? []) : [];
    const noise = sources.length > 0 ? sources[Math.floor(rng() * sources.length)] : undefined;
    const pcm = await degradeLikeVoiceNote(
      decoded.pcm,
      params.sampleRate,
      draw.chain,
      ffmpeg,
      rng,
      noise,
    );
    const spectrogram = computeLogMel(pcm, params);
    parts.push(spectrogram.data.subarray(0, spectrogram.frames * n));
    views.push({ frames: spectrogram.frames, tempo: draw.chain.tempoFactor ?? 1 });
  }
  const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const header = { frames: clean.frames, nMels: n, views };
  await writeFile(`${file}.json`, JSON.stringify(header));
  await writeFile(`${file}.tmp`, Buffer.from(data.buffer));
  await rename(`${file}.tmp`, file);
  return assemble(item, data, header);
}

interface CacheHeader {
  frames: number;
  nMels: number;
  views: Array<{ frames: number; tempo: number }>;
}

function assemble(item: CorpusItem, data: Float32Array, header: CacheHeader): CachedTrack {
  const n = header.nMels;
  let at = header.frames * n;
  const degraded = header.views.map((v) => {
    const view = { data: data.subarray(at, at + v.frames * n), frames: v.frames, tempo: v.tempo };
    at += v.frames * n;
    return view;
  });
  if (at !== data.length) throw new Error(`cache file of ${item.file} has the wrong size`);
  return {
    ...item,
    frames: header.frames,
    nMels: n,
    clean: data.subarray(0, header.frames * n),
    degraded,
  };
}

async function readOne(item: CorpusItem, file: string): Promise<CachedTrack> {
  const header = JSON.parse(await readFile(`${file}.json`, 'utf8')) as CacheHeader;
  const buffer = await readFile(file);
  const data = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
  return assemble(item, data, header);
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
        results[i] = await readOne(item, file).catch(() => buildOne(item, file, options, ffmpeg));
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
