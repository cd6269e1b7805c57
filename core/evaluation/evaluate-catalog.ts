/**
 * `synesthete evaluate`: leave-one-out retrieval quality of the catalogue against labels from a
 * CSV, with the reliability of the calibrated confidence; optionally the MFCC-statistics baseline
 * computed in the same run, an identification test (10 s excerpts through the voice-note chain —
 * band-limit, pink noise at 10 dB SNR, room reflections, 24 kbit/s Opus — must be named as the
 * match), and the music gate's rates on those excerpts and on a folder of non-music clips.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { decodeAudio } from '../audio/decode.js';
import { resolveFfmpeg } from '../audio/ffmpeg.js';
import { runProcess } from '../audio/process.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote, voiceNoteFilter } from '../audio/voice-note.js';
import { computeLogMel } from '../features/log-mel.js';
import { collectAudioFiles } from '../ingest/ingest.js';
import { fitClipMap } from '../library/clip-map.js';
import { CHAIN_RATE, cutExcerpt } from '../library/voice-note-view.js';
import { calibratedConfidence } from '../recommend/calibration.js';
import type { Engine } from '../recommend/recommend.js';
import { DEFAULT_VARIETY, type VarietyOptions } from '../recommend/variety.js';
import { SynestheteError } from '../util/errors.js';
import { createRng, type Rng } from '../util/random.js';
import { reliability } from './calibration.js';
import { mfccBaselineVectors } from './mfcc-baseline.js';
import { leaveOneOutPrecision, neighbourPairs, type PrecisionReport } from './precision.js';

/**
 * Folds of the tracks for the clip maps of `evaluate --clips`: each excerpt is moved by a map
 * fitted on the other 4/5 of the catalogue's voice-note views. Two halves under-state what a
 * small catalogue's map gives, more folds change nothing (docs/similarity.md).
 */
export const CLIP_MAP_FOLDS = 5;

/** Options of {@link evaluateCatalog}. */
export interface EvaluateOptions {
  /** CSV with a `file` column (paths as given to ingest, or relative to the CSV) and label columns. */
  readonly labelsCsv: string;
  readonly labelColumn: string;
  /** Column whose equal values are removed from each query's candidates (e.g. artist). */
  readonly excludeSame?: string;
  readonly k: number;
  /** Also compute the MFCC-statistics baseline on the same files. */
  readonly baseline?: boolean;
  /** Also run the voice-note identification test. */
  readonly identify?: boolean;
  /**
   * Also measure the discovery path: a voice-note excerpt of each track is recommended against
   * the catalogue without that track (and, with `excludeSame`, without its label-mates in that
   * column), and the five answers are scored like the leave-one-out neighbours.
   */
  readonly clips?: boolean;
  /**
   * With `clips`: move the excerpts with the library's clip map (default true). Each excerpt's
   * map is fitted without its own track's voice-note view: the catalogue's views are split in
   * {@link CLIP_MAP_FOLDS} folds by track id, and an excerpt of one fold is moved by the map fitted
   * on the other folds' views (as the product's map is fitted on all of a catalogue's views).
   */
  readonly clipMap?: boolean;
  /**
   * With `clips`: the variety rules of the answers (default `DEFAULT_VARIETY`, as users get them;
   * e.g. `{ maxPerArtist: Infinity, maxPerAlbum: Infinity }` for the ranking alone).
   */
  readonly variety?: VarietyOptions;
  /** Excerpt length of the identification test, seconds (default 10). */
  readonly excerptSeconds?: number;
  /**
   * What the identification excerpts go through: "voice-note" (default; EVALUATION_VOICE_NOTE of
   * core/audio/voice-note.ts) or "opus" (24 kbit/s Opus re-encoding only).
   */
  readonly chain?: 'voice-note' | 'opus';
  /** Seed of the excerpt positions and the chain's noise (default 1). */
  readonly seed?: number;
  /** Folder of clips that are not music (talking, noise, silence): the gate must reject them. */
  readonly nonMusicDir?: string;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** What `evaluate --json` prints. */
export interface EvaluationReport {
  readonly n: number;
  readonly k: number;
  readonly labelColumn: string;
  readonly excludeSame: string | null;
  readonly precisionAtK: Record<string, number>;
  readonly chance: number;
  readonly perLabel: PrecisionReport['perLabel'];
  /** CSV rows whose file is not in the catalogue (or not embedded by the current model). */
  readonly missing: readonly string[];
  readonly baseline?: { readonly mfcc: { readonly precisionAtK: Record<string, number> } };
  /**
   * Calibration of `confidence`: for each track's 10 nearest neighbours, confidence bins against
   * how often the neighbour really shares the label.
   */
  readonly reliability: ReturnType<typeof reliability>;
  readonly calibrationMethod: string;
  readonly identification?: {
    readonly n: number;
    /**
     * Excerpts whose best identification candidate (fingerprint, else window match) is their own
     * track (music gate on).
     */
    readonly top1: number;
    /** top1 / n: identification top-1. */
    readonly top1Rate: number;
    /** Excerpts named as the match (also past the score and margin thresholds). */
    readonly matched: number;
    /** matched / n: what a user sees as "this is X". */
    readonly rate: number;
    /** Other tracks named as the match, per excerpt. */
    readonly falseMatchRate: number;
    readonly excerptSeconds: number;
    readonly chain: string;
    readonly misses: ReadonlyArray<{ file: string; got: string | null; notMusic?: boolean }>;
  };
  /**
   * The discovery path (`clips`): precision@k of the answers to voice-note excerpts of tracks
   * left out of the catalogue, beside the leave-one-out figure of the same run.
   */
  readonly clips?: {
    readonly n: number;
    readonly precisionAtK: number;
    /** precisionAtK / the catalogue's leave-one-out precision@k. */
    readonly ratioToCatalog: number;
    /**
     * The catalogue's own answers under the same rules as the excerpts' (the variety caps of
     * `variety`): precision@k of `similar` for each track, with the same tracks left out, and
     * the excerpts' precisionAtK over it. The leave-one-out figure ranks by cosine alone, while
     * both answers keep at most `maxPerArtist` / `maxPerAlbum` tracks of one artist or album.
     */
    readonly catalogAnswers: { readonly precisionAtK: number; readonly ratio: number };
    /** The variety rules both kinds of answer were given under. */
    readonly variety: Required<VarietyOptions>;
    /** Excerpts the music gate rejected (they count as no correct answer). */
    readonly notMusic: number;
    /** Excerpts named as another catalogue track (then answered with that track's neighbours). */
    readonly namedOther: number;
    readonly excerptSeconds: number;
    /**
     * Voice-note views each fold's clip map was fitted on (see `clipMap` of
     * {@link EvaluateOptions}), or null when no map was used.
     */
    readonly clipMapPairs: readonly number[] | null;
  };
  /** The music gate (when the model has one): acceptance of music, rejection of the rest. */
  readonly musicGate?: {
    /** Identification excerpts (through the chain) the gate accepted. */
    readonly musicAccepted?: { readonly n: number; readonly rate: number };
    /** Clips of `nonMusicDir` rejected, in all and per kind (file name up to the first "-"). */
    readonly nonMusicRejected?: {
      readonly n: number;
      readonly rate: number;
      readonly byKind: Record<string, { n: number; rate: number }>;
      readonly accepted: readonly string[];
    };
  };
}

/**
 * Runs the evaluation over the catalogue of `engine`.
 *
 * @throws SynestheteError `E_NOT_FOUND` when the CSV is missing, `E_CONFIG` when it lacks the
 *   `file` or label column or none of its files is in the catalogue
 */
export async function evaluateCatalog(
  engine: Engine,
  options: EvaluateOptions,
): Promise<EvaluationReport> {
  let text: string;
  try {
    text = await readFile(options.labelsCsv, 'utf8');
  } catch (error) {
    throw new SynestheteError('E_NOT_FOUND', `cannot read labels file ${options.labelsCsv}`, {
      cause: error,
    });
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<
    Record<string, string>
  >;
  const header = Object.keys(rows[0] ?? {});
  for (const column of [
    'file',
    options.labelColumn,
    ...(options.excludeSame ? [options.excludeSame] : []),
  ]) {
    if (!header.includes(column)) {
      throw new SynestheteError(
        'E_CONFIG',
        `${options.labelsCsv} has no column "${column}" (columns: ${header.join(', ')})`,
      );
    }
  }
  const version = engine.model.metadata.version;
  const csvDir = path.dirname(path.resolve(options.labelsCsv));
  const found: Array<{
    file: string;
    id: number;
    label: string;
    other: string;
    embedding: Float32Array;
    sourcePath: string;
  }> = [];
  const missing: string[] = [];
  for (const row of rows) {
    const file = row.file ?? '';
    let track = await engine.catalog.findBySourcePath(path.resolve(csvDir, file));
    track ??= await engine.catalog.findBySourcePath(path.resolve(file));
    if (!track?.embedding || track.modelVersion !== version) {
      missing.push(file);
      continue;
    }
    found.push({
      file,
      id: track.id,
      label: row[options.labelColumn] ?? '',
      other: options.excludeSame ? (row[options.excludeSame] ?? '') : '',
      embedding: track.embedding,
      sourcePath: track.sourcePath,
    });
  }
  if (found.length < 2) {
    throw new SynestheteError(
      'E_CONFIG',
      `only ${found.length} of the ${rows.length} files in ${options.labelsCsv} are in the catalogue: ingest them first`,
    );
  }
  const ks = [...new Set([1, 5, 10, options.k])].sort((a, b) => a - b);
  const labels = found.map((f) => f.label);
  const exclude = options.excludeSame ? found.map((f) => f.other) : undefined;
  const report = leaveOneOutPrecision(
    found.map((f) => f.embedding),
    labels,
    ks,
    exclude,
  );

  let baseline: EvaluationReport['baseline'];
  if (options.baseline) {
    const { features } = engine.model.metadata;
    const spectrograms = [];
    for (const [i, f] of found.entries()) {
      options.onProgress?.('MFCC baseline', i, found.length);
      const decoded = await decodeAudio(f.sourcePath, { sampleRate: features.sampleRate });
      spectrograms.push(computeLogMel(decoded.pcm, features));
    }
    baseline = {
      mfcc: {
        precisionAtK: leaveOneOutPrecision(mfccBaselineVectors(spectrograms), labels, ks, exclude)
          .precisionAtK,
      },
    };
  }

  let identification: EvaluationReport['identification'];
  let musicAccepted: { n: number; rate: number } | undefined;
  if (options.identify) {
    const excerptSeconds = options.excerptSeconds ?? 10;
    const chain = options.chain ?? 'voice-note';
    const ffmpeg = (await resolveFfmpeg()).path;
    const rng = createRng(options.seed ?? 1);
    const misses: Array<{ file: string; got: string | null; notMusic?: boolean }> = [];
    let accepted = 0;
    let top1 = 0;
    let falseMatches = 0;
    for (const [i, f] of found.entries()) {
      options.onProgress?.('identification', i, found.length);
      const track = await engine.catalog.getTrack(f.id);
      const duration = track?.durationS ?? excerptSeconds;
      const offset = rng() * Math.max(0, duration - excerptSeconds);
      const clip = await voiceNoteExcerpt(f.sourcePath, offset, excerptSeconds, chain, ffmpeg, rng);
      const result = await engine.recommend(clip, { k: 1, analyze: { name: 'excerpt.ogg' } });
      if (result.music?.isMusic !== false) accepted++;
      if (result.candidate?.trackId === f.id) top1++;
      if (result.match && result.match.trackId !== f.id) falseMatches++;
      if (result.match?.trackId !== f.id) {
        misses.push({
          file: f.file,
          got: result.match ? (result.match.title ?? String(result.match.trackId)) : null,
          ...(result.music?.isMusic === false ? { notMusic: true } : {}),
        });
      }
    }
    identification = {
      n: found.length,
      top1,
      top1Rate: top1 / found.length,
      falseMatchRate: falseMatches / found.length,
      matched: found.length - misses.length,
      rate: (found.length - misses.length) / found.length,
      excerptSeconds,
      chain:
        chain === 'voice-note'
          ? `${voiceNoteFilter(EVALUATION_VOICE_NOTE)}; pink noise at ${EVALUATION_VOICE_NOTE.snrDb} dB SNR; ${EVALUATION_VOICE_NOTE.bitrateKbps} kbit/s Opus`
          : '24 kbit/s Opus',
      misses,
    };
    if (engine.model.metadata.musicGate) {
      musicAccepted = { n: found.length, rate: accepted / found.length };
    }
  }

  let clips: EvaluationReport['clips'];
  if (options.clips) {
    const excerptSeconds = options.excerptSeconds ?? 10;
    const ffmpeg = (await resolveFfmpeg()).path;
    const rng = createRng((options.seed ?? 1) + 1000);
    const labelOf = new Map(found.map((f) => [f.id, f.label]));
    // One clip map per fold of the tracks (by id), each fitted on the other folds' views, so that
    // an excerpt is moved by a map that never saw its own track.
    const views =
      options.clipMap === false
        ? []
        : await engine.catalog.clipViews(engine.model.metadata.version, Number.MAX_SAFE_INTEGER);
    const dim = views[0]?.embedding.length ?? 0;
    const folds = Array.from({ length: CLIP_MAP_FOLDS }, (_, h) =>
      fitClipMap(
        views.filter((v) => v.id % CLIP_MAP_FOLDS !== h),
        dim,
      ),
    );
    const clipMapPairs = folds.every((m) => m !== undefined) ? folds.map((m) => m.pairs) : null;
    const variety = { ...DEFAULT_VARIETY, ...options.variety };
    let hits = 0;
    let catalogHits = 0;
    let notMusic = 0;
    let namedOther = 0;
    for (const [i, f] of found.entries()) {
      options.onProgress?.('clips', i, found.length);
      const track = await engine.catalog.getTrack(f.id);
      const duration = track?.durationS ?? excerptSeconds;
      const offset = rng() * Math.max(0, duration - excerptSeconds);
      const clip = await voiceNoteExcerpt(
        f.sourcePath,
        offset,
        excerptSeconds,
        'voice-note',
        ffmpeg,
        rng,
      );
      const absent = found
        .filter((o) => o.id === f.id || (options.excludeSame && o.other === f.other))
        .map((o) => o.id);
      const result = await engine.recommend(clip, {
        k: options.k,
        absent,
        analyze: { name: 'excerpt.ogg' },
        clipMap: clipMapPairs ? (folds[f.id % CLIP_MAP_FOLDS] ?? null) : null,
        variety,
      });
      if (result.music?.isMusic === false) notMusic++;
      if (result.match) namedOther++;
      hits += result.recommendations.filter((r) => labelOf.get(r.trackId) === f.label).length;
      // What `similar` answers for the track itself, the same tracks left out.
      const own = await engine.similar(f.id, {
        k: options.k,
        absent: absent.filter((id) => id !== f.id),
        variety,
        tags: false,
      });
      catalogHits += own.recommendations.filter((r) => labelOf.get(r.trackId) === f.label).length;
    }
    const p = hits / (found.length * options.k);
    const catalogP = catalogHits / (found.length * options.k);
    const loo = report.precisionAtK[String(options.k)] ?? 0;
    clips = {
      n: found.length,
      precisionAtK: p,
      ratioToCatalog: loo > 0 ? p / loo : 0,
      catalogAnswers: { precisionAtK: catalogP, ratio: catalogP > 0 ? p / catalogP : 0 },
      variety,
      notMusic,
      namedOther,
      excerptSeconds,
      clipMapPairs,
    };
  }

  let nonMusicRejected: NonNullable<EvaluationReport['musicGate']>['nonMusicRejected'];
  if (options.nonMusicDir && engine.model.metadata.musicGate) {
    const { files } = await collectAudioFiles([options.nonMusicDir]);
    const byKind: Record<string, { n: number; rejected: number }> = {};
    const acceptedFiles: string[] = [];
    for (const [i, file] of files.entries()) {
      options.onProgress?.('non-music', i, files.length);
      const result = await engine.recommend(file, { k: 1 });
      const kind = path.basename(file).split('-')[0] ?? 'other';
      const entry = byKind[kind] ?? { n: 0, rejected: 0 };
      byKind[kind] = entry;
      entry.n++;
      if (result.music?.isMusic === false) entry.rejected++;
      else acceptedFiles.push(path.basename(file));
    }
    const total = files.length;
    nonMusicRejected = {
      n: total,
      rate: total ? (total - acceptedFiles.length) / total : 0,
      byKind: Object.fromEntries(
        Object.entries(byKind).map(([k, v]) => [k, { n: v.n, rate: v.rejected / v.n }]),
      ),
      accepted: acceptedFiles,
    };
  }

  // Reliability of the calibrated confidence over each track's 10 nearest neighbours.
  const calibration = engine.model.metadata.calibration;
  const pairs = neighbourPairs(
    found.map((f) => f.embedding),
    labels,
    10,
  );
  const confidences = pairs.similarities.map((s) => calibratedConfidence(s, calibration));
  const positives = pairs.positives;

  return {
    n: report.n,
    k: options.k,
    labelColumn: options.labelColumn,
    excludeSame: options.excludeSame ?? null,
    precisionAtK: report.precisionAtK,
    chance: report.chance,
    perLabel: report.perLabel,
    missing,
    ...(baseline ? { baseline } : {}),
    reliability: reliability(confidences, positives),
    calibrationMethod: calibration.method,
    ...(identification ? { identification } : {}),
    ...(clips ? { clips } : {}),
    ...(musicAccepted || nonMusicRejected
      ? {
          musicGate: {
            ...(musicAccepted ? { musicAccepted } : {}),
            ...(nonMusicRejected ? { nonMusicRejected } : {}),
          },
        }
      : {}),
  };
}

/**
 * Cuts `seconds` of `file` at `offset` and passes them through the chain.
 *
 * @returns Ogg Opus bytes of the excerpt as a user would send it
 * @throws SynestheteError E_DECODE when the excerpt cannot be cut
 */
async function voiceNoteExcerpt(
  file: string,
  offset: number,
  seconds: number,
  chain: 'voice-note' | 'opus',
  ffmpeg: string,
  rng: Rng,
): Promise<Buffer> {
  if (chain === 'opus') {
    const { stdout, code, stderr } = await runProcess(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-ss', offset.toFixed(2), '-t', String(seconds)],
      ...['-i', file, '-ac', '1', '-c:a', 'libopus', '-b:a', '24k', '-f', 'ogg', 'pipe:1'],
    ]);
    if (code !== 0 || stdout.length === 0) {
      throw new SynestheteError('E_DECODE', `could not cut an excerpt of ${file}`, {
        cause: stderr,
      });
    }
    return stdout;
  }
  const pcm = await cutExcerpt(file, offset, seconds);
  return encodeVoiceNote(pcm, CHAIN_RATE, EVALUATION_VOICE_NOTE, ffmpeg, rng);
}
