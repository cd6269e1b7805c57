/**
 * `synesthete evaluate`: leave-one-out retrieval quality of the catalogue against labels from a
 * CSV, optionally with the MFCC-statistics baseline computed in the same run and an
 * identification test (10 s excerpts re-encoded as 24 kbps mono Opus voice notes must be named
 * as the match).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { decodeAudio } from '../audio/decode.js';
import { resolveFfmpeg } from '../audio/ffmpeg.js';
import { runProcess } from '../audio/process.js';
import { SynestheteError } from '../errors.js';
import { computeLogMel } from '../features/log-mel.js';
import type { Engine } from '../recommend.js';
import { mfccBaselineVectors } from './mfcc-baseline.js';
import { leaveOneOutPrecision, type PrecisionReport } from './precision.js';

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
  /** Excerpt length of the identification test, seconds (default 10). */
  readonly excerptSeconds?: number;
  /** Opus bitrate of the identification excerpts, kbit/s (default 24). */
  readonly bitrateKbps?: number;
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
  readonly identification?: {
    readonly n: number;
    readonly matched: number;
    readonly rate: number;
    readonly excerptSeconds: number;
    readonly bitrateKbps: number;
    readonly misses: ReadonlyArray<{ file: string; got: string | null }>;
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
  if (options.identify) {
    const excerptSeconds = options.excerptSeconds ?? 10;
    const bitrateKbps = options.bitrateKbps ?? 24;
    const ffmpeg = (await resolveFfmpeg()).path;
    const misses: Array<{ file: string; got: string | null }> = [];
    for (const [i, f] of found.entries()) {
      options.onProgress?.('identification', i, found.length);
      const track = await engine.catalog.getTrack(f.id);
      const offset = Math.max(0, ((track?.durationS ?? excerptSeconds) - excerptSeconds) / 2);
      const { stdout, code, stderr } = await runProcess(ffmpeg, [
        ...[
          '-hide_banner',
          '-loglevel',
          'error',
          '-ss',
          offset.toFixed(2),
          '-t',
          String(excerptSeconds),
        ],
        ...[
          '-i',
          f.sourcePath,
          '-ac',
          '1',
          '-c:a',
          'libopus',
          '-b:a',
          `${bitrateKbps}k`,
          '-f',
          'ogg',
          'pipe:1',
        ],
      ]);
      if (code !== 0)
        throw new SynestheteError('E_DECODE', `could not cut an excerpt of ${f.file}`, {
          cause: stderr,
        });
      const result = await engine.recommend(stdout, { k: 1, analyze: { name: 'excerpt.ogg' } });
      if (result.match?.trackId !== f.id) {
        misses.push({
          file: f.file,
          got: result.match ? (result.match.title ?? String(result.match.trackId)) : null,
        });
      }
    }
    identification = {
      n: found.length,
      matched: found.length - misses.length,
      rate: (found.length - misses.length) / found.length,
      excerptSeconds,
      bitrateKbps,
      misses,
    };
  }
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
    ...(identification ? { identification } : {}),
  };
}
