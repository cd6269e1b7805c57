/**
 * Where a warm recommend's time goes: each stage of the engine's path run on its own, in the same
 * process, on the same clip — decode (by the engine's decoder list, named, and for comparison by
 * the ffmpeg program, the fallback), log-mel
 * spectrogram with the onset envelope, CNN, style statistics, tonality statistics, tempo, spectral descriptors, fingerprint, music-gate
 * descriptors, fingerprint match, ANN search and the catalogue read. Wall and CPU milliseconds
 * (medians; CPU of all threads, the decode thread's included), asserts nothing. In the engine
 * itself the fingerprint, the spectral descriptors, the style statistics and the music-gate
 * descriptors run on a worker thread beside the
 * spectrogram and CNN (core/fingerprint/off-thread.ts), so the stages do not add up to the
 * recommend time.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { decodeAudio } from '../core/audio/decode.js';
import type { Engine } from '../core/engine.js';
import { spectralDescriptors } from '../core/features/descriptors.js';
import { computeLogMel } from '../core/features/log-mel.js';
import { speechMusicDescriptors } from '../core/features/speech-music.js';
import { styleStatistics } from '../core/features/style.js';
import { estimateTempo, OnsetAccumulator } from '../core/features/tempo.js';
import { tonalityStatistics } from '../core/features/tonality.js';
import { fingerprintPcm } from '../core/fingerprint/fingerprint.js';
import { matchLandmarks } from '../core/fingerprint/match.js';

/** Median wall and CPU milliseconds of one stage. */
export interface StageTime {
  readonly stage: string;
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Name of the engine's own decode stage, followed by the decoder's name. */
const DECODE_STAGE = 'decode (the engine: list of decoders), by';

/**
 * The decoder the engine used and the decode's share of a whole warm query.
 *
 * @param stages - what {@link measureStages} returned
 * @param queryWallMs - a whole query's wall time (e.g. the warm p50), ms
 * @returns the decoder's name ('node-av' or 'ffmpeg'), the decode's median wall ms, and its
 *   share of `queryWallMs` (0–1; the decode runs before everything else, so it adds up)
 */
export function decodeShare(
  stages: readonly StageTime[],
  queryWallMs: number,
): { decoder: string; wallMs: number; share: number } {
  const stage = stages.find((s) => s.stage.startsWith(DECODE_STAGE));
  const wallMs = stage?.wallMs ?? 0;
  return {
    decoder: stage ? stage.stage.slice(DECODE_STAGE.length + 1) : 'unknown',
    wallMs,
    share: queryWallMs > 0 ? wallMs / queryWallMs : 0,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Times each stage `runs` times on `clipPath`.
 *
 * @param engine - an open engine whose catalogue is not empty
 * @param clipPath - the voice note
 * @param runs - repetitions (after one warm-up)
 */
export async function measureStages(
  engine: Engine,
  clipPath: string,
  runs = 10,
): Promise<StageTime[]> {
  const clip = new Uint8Array(await readFile(clipPath));
  const { features, window } = engine.model.metadata;
  const idx = await engine.indexes();
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const time = async <T>(stage: string, fn: () => T | Promise<T>): Promise<T> => {
    const c = process.cpuUsage();
    const t = performance.now();
    const result = await fn();
    const elapsed = performance.now() - t;
    const u = process.cpuUsage(c);
    wall[stage] = [...(wall[stage] ?? []), elapsed];
    cpu[stage] = [...(cpu[stage] ?? []), (u.user + u.system) / 1000];
    return result;
  };
  const { decodedBy } = await decodeAudio(clip, { sampleRate: features.sampleRate });
  const decodeStage = `${DECODE_STAGE} ${decodedBy}`;
  for (let i = 0; i <= runs; i++) {
    // The clip's path, as `recommend` is given it in the warm runs.
    const decoded = await time(decodeStage, () =>
      decodeAudio(clipPath, { sampleRate: features.sampleRate }),
    );
    // As the engine computes a clip's: the onset envelope from the spectrogram's STFT, the
    // spectral descriptors without flatness.
    const onset = new OnsetAccumulator(features.sampleRate, decoded.pcm.length);
    const spectrograms = await time('log-mel spectrogram (+ onset envelope)', () =>
      decoded.segments.map((s) =>
        computeLogMel(decoded.pcm.subarray(s.offset, s.offset + s.length), features, onset),
      ),
    );
    const embedding = await time('CNN (windows embedded and pooled)', () =>
      engine.model.embedSpectrograms(spectrograms, 64, window.queryHopFrames),
    );
    await time('style statistics (worker thread in the engine)', () =>
      styleStatistics(spectrograms),
    );
    await time('tonality statistics (main thread, after the CNN)', () =>
      tonalityStatistics(
        decoded.segments.map((s) => ({
          pcm: decoded.pcm.subarray(s.offset, s.offset + s.length),
          sampleRate: decoded.sampleRate,
        })),
      ),
    );
    await time('tempo (from the onset envelope)', () => estimateTempo(onset.result()));
    await time('spectral descriptors (worker thread in the engine)', () =>
      spectralDescriptors(decoded.pcm, features.sampleRate, { flatness: false }),
    );
    const fingerprint = await time('fingerprint (worker thread in the engine)', () =>
      fingerprintPcm(decoded.pcm, decoded.sampleRate, decoded.segments),
    );
    const first = spectrograms[0];
    if (first) {
      await time('music-gate descriptors (worker thread in the engine)', () =>
        speechMusicDescriptors(first, features.sampleRate / features.hopLength),
      );
    }
    await time('fingerprint match', () => matchLandmarks(idx.landmarks, fingerprint));
    const query = new Float32Array(idx.tracks.dim);
    query.set(embedding.embedding.subarray(0, idx.tracks.dim));
    const hits = await time('ANN search (HNSW)', () => idx.tracks.query(query, 10));
    await time('catalogue read of the results (kept per index in the engine)', () =>
      engine.catalog.getTrackInfos(hits.map((h) => h.label)),
    );
    if (i === 0) {
      for (const k of Object.keys(wall)) {
        wall[k] = [];
        cpu[k] = [];
      }
    }
  }
  // The fallback apart, after the rest: forking the ffmpeg program from this large process leaves
  // copy-on-write page faults that would be charged to whichever stage came next.
  if (decodedBy !== 'ffmpeg') {
    const stage = 'decode with the ffmpeg program (the fallback, for comparison)';
    for (let i = 0; i <= runs; i++) {
      await time(stage, () =>
        decodeAudio(clip, { sampleRate: features.sampleRate, decoder: 'ffmpeg' }),
      );
      if (i === 0) {
        wall[stage] = [];
        cpu[stage] = [];
      }
    }
  }
  return Object.keys(wall).map((stage) => ({
    stage,
    wallMs: median(wall[stage] ?? []),
    cpuMs: median(cpu[stage] ?? []),
  }));
}
