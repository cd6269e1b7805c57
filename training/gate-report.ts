/**
 * The music gate measured alone, without a catalogue: each clip goes through the query path's
 * analysis (core/analysis/analyze.ts with `query: true`, as a recommend runs it) and its verdict is
 * counted. Music: a 10 s excerpt of each track from a random position, through the evaluation's
 * voice-note chain (EVALUATION_VOICE_NOTE: band-limit, pink noise at 10 dB SNR, room
 * reflections, 24 kbit/s Opus), the kind of clip `synesthete evaluate --identify` sends, written
 * once as files ({@link writeMusicVoiceNotes}). Non-music:
 * the audio files of a folder, kind = file name up to the first "-" (as `evaluate --non-music`).
 *
 * Without a catalogue no clip can be identified, so a fingerprint match never overrides a
 * rejection here (in the product it does, for a clip of a catalogue track): music kept is a lower
 * bound of what the product keeps.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { analyzeAudio } from '../core/analysis/analyze.js';
import { decodeAudio } from '../core/audio/decode.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../core/audio/voice-note.js';
import { collectAudioFiles } from '../core/ingest/ingest.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import { createRng } from '../core/util/random.js';

/** A share of clips with its count. */
export interface GateRate {
  readonly n: number;
  readonly rate: number;
}

/** What {@link measureGate} returns. */
export interface GateReport {
  /** Music excerpts the gate kept. */
  readonly musicAccepted: GateRate;
  /** Non-music clips rejected, in all and per kind, and the files it let through. */
  readonly nonMusicRejected: GateRate & {
    readonly byKind: Record<string, GateRate>;
    readonly accepted: readonly string[];
  };
  /** Non-music clips rejected as silence rather than by the classifier. */
  readonly silence: number;
}

/** Seconds of each music excerpt. */
const EXCERPT_SECONDS = 10;

/**
 * Writes a 10 s voice note of each track into `dir` (once: a `done` file marks a finished
 * folder): an excerpt from a random position, through EVALUATION_VOICE_NOTE, as Ogg Opus. Each
 * track has its own seed (`seed` and its index), so the clips do not depend on the order tracks
 * are done in; `concurrency` tracks are made at a time.
 *
 * @param tracks - music files (absolute paths)
 * @param dir - output folder (created)
 * @param ffmpeg - ffmpeg binary
 * @param seed - seed of excerpt positions and chain noise
 * @param concurrency - tracks in flight at once
 * @throws SynestheteError when a track cannot be decoded; Error when ffmpeg fails
 */
export async function writeMusicVoiceNotes(
  tracks: readonly string[],
  dir: string,
  ffmpeg: string,
  seed = 1,
  concurrency = 3,
): Promise<void> {
  if (existsSync(path.join(dir, 'done'))) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const limit = pLimit(concurrency);
  await Promise.all(
    tracks.map((track, i) =>
      limit(async () => {
        const rng = createRng(seed * 100_003 + i);
        const head = await decodeAudio(track, {
          sampleRate: 8000,
          maxAnalysedS: 2,
          minDurationS: 0,
          segments: 1,
        });
        const startS = rng() * Math.max(0, head.sourceDurationS - EXCERPT_SECONDS);
        const excerpt = await decodeAudio(track, {
          sampleRate: 48_000,
          startS,
          maxAnalysedS: EXCERPT_SECONDS,
          segments: 1,
        });
        const ogg = await encodeVoiceNote(excerpt.pcm, 48_000, EVALUATION_VOICE_NOTE, ffmpeg, rng);
        const name = `${String(i).padStart(3, '0')}-${path.basename(track).replace(/\.[^.]+$/, '')}.ogg`;
        await writeFile(path.join(dir, name), ogg);
      }),
    ),
  );
  await writeFile(path.join(dir, 'done'), `${tracks.length}\n`);
}

/**
 * Measures the gate of `model` on a folder of music clips and a folder of non-music clips.
 *
 * @param model - the model whose metadata holds the gate
 * @param musicDir - music clips (e.g. from {@link writeMusicVoiceNotes})
 * @param nonMusicDir - folder of non-music clips (searched recursively)
 * @param onProgress - called after each clip
 * @returns music kept and non-music rejected
 * @throws Error when the model has no gate; SynestheteError when a file cannot be decoded
 */
export async function measureGate(
  model: EmbeddingModel,
  musicDir: string,
  nonMusicDir: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<GateReport> {
  if (!model.metadata.musicGate) throw new Error('this model has no music gate');
  const music = (await collectAudioFiles([musicDir])).files;
  const { files } = await collectAudioFiles([nonMusicDir]);
  const total = music.length + files.length;
  let kept = 0;
  for (const [i, clip] of music.entries()) {
    const analysis = await analyzeAudio(clip, model, { query: true });
    if (analysis.music?.isMusic !== false) kept++;
    onProgress(i + 1, total);
  }
  const byKind: Record<string, { n: number; rejected: number }> = {};
  const accepted: string[] = [];
  let silence = 0;
  for (const [i, file] of files.entries()) {
    const analysis = await analyzeAudio(file, model, { query: true });
    const kind = path.basename(file).split('-')[0] ?? 'other';
    const entry = byKind[kind] ?? { n: 0, rejected: 0 };
    byKind[kind] = entry;
    entry.n++;
    if (analysis.music?.isMusic === false) {
      entry.rejected++;
      if (analysis.music.reason === 'silence') silence++;
    } else accepted.push(path.basename(file));
    onProgress(music.length + i + 1, total);
  }
  const rate = (part: number, of: number) => (of > 0 ? Number((part / of).toFixed(3)) : 0);
  return {
    musicAccepted: { n: music.length, rate: rate(kept, music.length) },
    nonMusicRejected: {
      n: files.length,
      rate: rate(files.length - accepted.length, files.length),
      byKind: Object.fromEntries(
        Object.entries(byKind)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, { n: v.n, rate: rate(v.rejected, v.n) }]),
      ),
      accepted,
    },
    silence,
  };
}
