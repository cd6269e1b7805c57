/**
 * The music gate measured alone, without a catalogue: each clip goes through the query path's
 * analysis (core/analyze.ts with `query: true`, as a recommend runs it) and its verdict is
 * counted. Music: a 10 s excerpt of each track from a random position, through the evaluation's
 * voice-note chain (EVALUATION_VOICE_NOTE: band-limit, pink noise at 10 dB SNR, room
 * reflections, 24 kbit/s Opus), the same clips `synesthete evaluate --identify` sends. Non-music:
 * the audio files of a folder, kind = file name up to the first "-" (as `evaluate --non-music`).
 *
 * Without a catalogue no clip can be identified, so a fingerprint match never overrides a
 * rejection here (in the product it does, for a clip of a catalogue track): music kept is a lower
 * bound of what the product keeps.
 */
import path from 'node:path';
import { analyzeAudio } from '../core/analyze.js';
import { decodeAudio } from '../core/audio/decode.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../core/audio/voice-note.js';
import { collectAudioFiles } from '../core/ingest.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import { createRng } from '../core/random.js';

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
 * Measures the gate of `model` on music tracks and a folder of non-music clips.
 *
 * @param model - the model whose metadata holds the gate
 * @param tracks - music files (absolute paths)
 * @param nonMusicDir - folder of non-music clips (searched recursively)
 * @param ffmpeg - ffmpeg binary for the voice-note chain
 * @param seed - seed of excerpt positions and chain noise
 * @param onProgress - called after each clip
 * @returns music kept and non-music rejected
 * @throws Error when the model has no gate; SynestheteError when a file cannot be decoded
 */
export async function measureGate(
  model: EmbeddingModel,
  tracks: readonly string[],
  nonMusicDir: string,
  ffmpeg: string,
  seed = 1,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<GateReport> {
  if (!model.metadata.musicGate) throw new Error('this model has no music gate');
  const { files } = await collectAudioFiles([nonMusicDir]);
  const total = tracks.length + files.length;
  const rng = createRng(seed);
  let kept = 0;
  for (const [i, track] of tracks.entries()) {
    const head = await decodeAudio(track, { sampleRate: 8000, maxAnalysedS: 1, segments: 1 });
    const startS = rng() * Math.max(0, head.sourceDurationS - EXCERPT_SECONDS);
    const excerpt = await decodeAudio(track, {
      sampleRate: 48_000,
      startS,
      maxAnalysedS: EXCERPT_SECONDS,
      segments: 1,
    });
    const ogg = await encodeVoiceNote(excerpt.pcm, 48_000, EVALUATION_VOICE_NOTE, ffmpeg, rng);
    const analysis = await analyzeAudio(new Uint8Array(ogg), model, { query: true });
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
    onProgress(tracks.length + i + 1, total);
  }
  const rate = (part: number, of: number) => (of > 0 ? Number((part / of).toFixed(3)) : 0);
  return {
    musicAccepted: { n: tracks.length, rate: rate(kept, tracks.length) },
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
