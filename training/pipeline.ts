/**
 * The whole training pipeline, used for the shipped model and by `synesthete train <dir>`:
 * corpus → spectrogram cache → contrastive training → held-out evaluation → export to models/.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { CATALOG_ANALYSIS } from '../core/analysis/analyze.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { styleStatistics } from '../core/features/style.js';
import { initBackend } from '../core/model/backend.js';
import { type CnnArchitecture, DEFAULT_ARCHITECTURE, parameterCount } from '../core/model/cnn.js';
import { createEmbeddingModel, type EmbeddingModel } from '../core/model/embedder.js';
import { type FusionParams, fuseEmbedding } from '../core/model/fusion.js';
import { DEFAULT_LOG_MEL, DEFAULT_WINDOW, type ModelMetadata } from '../core/model/metadata.js';
import { saveModel } from '../core/model/weights-io.js';
import { cutWindows } from '../core/model/windows.js';
import { createRng, randomInt } from '../core/util/random.js';
import { AUDIO_AUGMENTATIONS } from './augmentations.js';
import { buildCache, type CachedTrack } from './cache.js';
import type { CorpusItem } from './corpus.js';
import { fitMusicGate } from './fit-gate.js';
import {
  chooseFusionWeight,
  columnStatistics,
  corpusTimbre,
  STYLE_FUSION_WITHOUT_TONALITY,
} from './fusion-search.js';
import { evaluateHeldOut } from './held-out.js';
import { loadNoiseBank } from './noise-bank.js';
import { DEFAULT_SAMPLER, type SamplerConfig } from './sampler.js';
import { train } from './train.js';

/** Options of {@link runTrainingPipeline}. */
export interface PipelineOptions {
  readonly items: readonly CorpusItem[];
  /**
   * Validation groups: never trained on; the fusion weight, match thresholds, confidence
   * calibration and the music gate's threshold are chosen on them.
   */
  readonly heldOutGroups: readonly string[];
  /**
   * Test groups: never trained on and never used for a choice; only reported (the figures of
   * record come from `synesthete evaluate`, see scripts/evaluate-held-out.sh).
   */
  readonly testGroups?: readonly string[];
  /** Build the spectrogram cache and stop. */
  readonly cacheOnly?: boolean;
  /** Where the model is written (model.json, weights.bin, metadata.json). */
  readonly outDir: string;
  readonly cacheDir: string;
  /** Checkpoints; a run with the same directory resumes. */
  readonly runDir: string;
  readonly steps: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly maxSecondsPerTrack: number;
  readonly architecture?: CnnArchitecture;
  /** Overrides of the pair sampler's settings (see training/sampler.ts). */
  readonly sampler?: Partial<SamplerConfig>;
  readonly corpusDescription: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

/** Global standard deviation of window-mean-removed log-mel values over random windows. */
function inputStd(tracks: readonly CachedTrack[], seed: number, frames: number): number {
  const rng = createRng(seed);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < 500; i++) {
    const t = tracks[randomInt(rng, 0, tracks.length - 1)]!;
    const start = randomInt(rng, 0, Math.max(0, t.frames - frames));
    const view = t.clean.subarray(start * t.nMels, Math.min(t.frames, start + frames) * t.nMels);
    let mean = 0;
    for (const v of view) mean += v;
    mean /= view.length || 1;
    for (const v of view) sum += (v - mean) ** 2;
    count += view.length;
  }
  return Math.sqrt(sum / Math.max(1, count));
}

/**
 * Mean and standard deviation per dimension of the L2-normalised window embeddings of the
 * training tracks (up to 16 windows each): the model's `embeddingNormalization`.
 *
 * @param model - a model without `embeddingNormalization` (raw window embeddings)
 * @param tracks - cached tracks; their clean spectrograms are cut into windows
 * @param dim - the embedding size
 * @returns per-dimension mean and standard deviation (at least 1e-6), rounded to 6 decimals
 */
export function embeddingStatistics(
  model: EmbeddingModel,
  tracks: readonly CachedTrack[],
  dim: number,
): { mean: number[]; std: number[] } {
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  let count = 0;
  for (const t of tracks) {
    const windows = cutWindows(
      [{ data: t.clean, frames: t.frames, nMels: t.nMels }],
      model.metadata.window,
      16,
    );
    const rows = model.embedWindows(windows);
    for (let r = 0; r < windows.count; r++) {
      for (let d = 0; d < dim; d++) {
        const v = rows[r * dim + d]!;
        sum[d]! += v;
        sumSq[d]! += v * v;
      }
    }
    count += windows.count;
  }
  const mean = Array.from(sum, (s) => s / Math.max(1, count));
  const std = Array.from(sumSq, (s, d) =>
    Math.sqrt(Math.max(1e-12, s / Math.max(1, count) - mean[d]! ** 2)),
  );
  return { mean: mean.map((x) => Number(x.toFixed(6))), std: std.map((x) => Number(x.toFixed(6))) };
}

/**
 * Runs the pipeline and writes the model.
 *
 * @returns the metadata written to `outDir/metadata.json`; undefined with `cacheOnly`
 * @throws Error when fewer training tracks than a batch could be read
 */
export async function runTrainingPipeline(
  options: PipelineOptions,
): Promise<ModelMetadata | undefined> {
  const backend = await initBackend();
  const architecture = options.architecture ?? DEFAULT_ARCHITECTURE;
  const params = DEFAULT_LOG_MEL;
  options.log(
    `backend ${backend}; ${options.items.length} files; caching spectrograms in ${options.cacheDir}`,
  );
  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format: 'cache |{bar}| {value}/{total} files | {failed} unreadable | ETA {eta_formatted}',
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const noiseBank = await loadNoiseBank(
    path.join(path.dirname(options.cacheDir), 'noise-bank'),
    params.sampleRate,
    'fit',
  );
  bar?.start(options.items.length, 0, { failed: 0 });
  const cached = await buildCache(options.items, {
    noiseBank,
    cacheDir: options.cacheDir,
    params,
    maxSecondsPerTrack: options.maxSecondsPerTrack,
    concurrency: Math.max(1, os.availableParallelism()),
    seed: options.seed,
    onProgress: (done, _total, failed) => bar?.update(done, { failed }),
  });
  bar?.stop();
  for (const f of cached.failed.slice(0, 10))
    options.log(`skipped unreadable ${f.file}: ${f.error.split('\n')[0]}`);
  const testGroups = options.testGroups ?? [];
  const trainTracks = cached.tracks.filter(
    (t) => !options.heldOutGroups.includes(t.group) && !testGroups.includes(t.group),
  );
  const heldOut = cached.tracks.filter((t) => options.heldOutGroups.includes(t.group));
  const testTracks = cached.tracks.filter((t) => testGroups.includes(t.group));
  const trainHours =
    (trainTracks.reduce((s, t) => s + t.frames, 0) * (params.hopLength / params.sampleRate)) / 3600;
  options.log(
    `training on ${trainTracks.length} tracks (${trainHours.toFixed(1)} h analysed) from ${new Set(trainTracks.map((t) => t.group)).size} groups; ` +
      `${heldOut.length} validation tracks from ${new Set(heldOut.map((t) => t.group)).size} groups; ` +
      `${testTracks.length} test tracks from ${new Set(testTracks.map((t) => t.group)).size} groups`,
  );
  if (options.cacheOnly) return undefined;
  const batchSize = Math.min(options.batchSize, trainTracks.length);
  if (batchSize < 8)
    throw new Error(`need at least 8 readable training tracks, found ${trainTracks.length}`);
  const std = inputStd(trainTracks, options.seed, DEFAULT_WINDOW.frames);
  const result = await train(trainTracks, {
    architecture,
    sampler: { ...DEFAULT_SAMPLER, ...options.sampler, frames: DEFAULT_WINDOW.frames },
    batchSize,
    steps: options.steps,
    learningRate: 1e-3,
    warmupSteps: Math.min(50, Math.ceil(options.steps / 10)),
    temperature: 0.1,
    seed: options.seed,
    inputStd: std,
    checkpointDir: options.runDir,
    checkpointEvery: 50,
    progress: options.progress,
  });
  options.log(
    `trained ${result.steps} steps, final loss ${result.finalLoss.toFixed(3)}, ${result.windowsPerSecond.toFixed(0)} windows/s`,
  );

  const weightsHash = createHash('sha1');
  for (const tensor of Object.values(result.weights))
    weightsHash.update(Buffer.from((tensor.dataSync() as Float32Array).buffer));
  // The version names what decides the vectors: the weights, and (below) the embedding
  // standardisation and fusion parameters; a new version marks catalogue embeddings stale.
  const version = 'unversioned';
  const provisional: ModelMetadata = {
    name: 'synesthete-cnn',
    version,
    features: params,
    window: DEFAULT_WINDOW,
    embeddingSize: architecture.embeddingSize,
    inputNormalization: { mean: 0, std },
    matching: { minScore: 0.8, minMargin: 0.01 },
    calibration: { a: 10, b: -5, method: 'uncalibrated default' },
  };
  // Standardise embeddings with statistics of the training windows (see ModelMetadata).
  const raw = createEmbeddingModel(
    architecture,
    result.weights,
    provisional,
    backend,
    options.outDir,
  );
  const embeddingNormalization = embeddingStatistics(raw, trainTracks, architecture.embeddingSize);
  const normalized: ModelMetadata = { ...provisional, embeddingNormalization };
  const cnnModel = createEmbeddingModel(
    architecture,
    result.weights,
    normalized,
    backend,
    options.outDir,
  );

  // Fusion with full-band timbre statistics: statistics from the training tracks, weight from the
  // held-out soundtracks (see training/fusion-search.ts).
  // Without held-out tracks there is nothing to choose a weight on: no fusion, no extra decoding.
  if (heldOut.length >= 10) options.log('timbre statistics: decoding the corpus at 44,100 Hz');
  const timbre =
    heldOut.length >= 10
      ? await corpusTimbre([...trainTracks, ...heldOut], Math.max(1, os.availableParallelism()))
      : new Map<string, Float32Array>();
  const timbreStats = columnStatistics(trainTracks.flatMap((t) => timbre.get(t.file) ?? []));
  const withTimbre = heldOut.filter((t) => timbre.has(t.file));
  const fusionChoice =
    withTimbre.length >= 10
      ? chooseFusionWeight(
          withTimbre.map(
            (t) =>
              cnnModel.embedSpectrograms(
                [{ data: t.clean, frames: t.frames, nMels: t.nMels }],
                CATALOG_ANALYSIS.maxWindows,
              ).embedding,
          ),
          withTimbre.map((t) => timbre.get(t.file)!),
          withTimbre.map((t) => t.group),
          timbreStats,
        )
      : undefined;
  // With timbre statistics, the style statistics of the training tracks join the track vector at
  // the weights chosen for them without the tonality part, which needs the PCM the cache does not
  // keep (training/fusion-search.ts; `npm run fit-style` adds that part).
  const fusion: FusionParams | undefined =
    fusionChoice && withTimbre.length >= 10
      ? {
          weight: STYLE_FUSION_WITHOUT_TONALITY.cnnWeight,
          timbreMean: timbreStats.mean,
          timbreStd: timbreStats.std,
          style: {
            weights: [...STYLE_FUSION_WITHOUT_TONALITY.styleWeights],
            ...columnStatistics(
              trainTracks.map((t) =>
                styleStatistics([{ data: t.clean, frames: t.frames, nMels: t.nMels }]),
              ),
            ),
          },
        }
      : undefined;
  if (fusionChoice) {
    options.log(
      `fusion: held-out precision@5 by CNN weight ${JSON.stringify(fusionChoice.precisionAt5ByWeight)}; chosen ${fusionChoice.weight}`,
    );
  }
  const withFusion: ModelMetadata = { ...normalized, ...(fusion ? { fusion } : {}) };
  const model = createEmbeddingModel(
    architecture,
    result.weights,
    withFusion,
    backend,
    options.outDir,
  );
  const trackVectors = fusion
    ? heldOut.map((t) => {
        const cnn = model.embedSpectrograms(
          [{ data: t.clean, frames: t.frames, nMels: t.nMels }],
          CATALOG_ANALYSIS.maxWindows,
        ).embedding;
        const style = styleStatistics([{ data: t.clean, frames: t.frames, nMels: t.nMels }]);
        return fuseEmbedding(cnn, timbre.get(t.file) ?? null, fusion, style);
      })
    : undefined;
  const gateFit =
    heldOut.length >= 10
      ? await fitMusicGate(model, trainTracks, heldOut, {
          ffmpeg: (await resolveFfmpeg()).path,
          seed: options.seed,
          log: options.log,
        })
      : undefined;
  const evaluation =
    heldOut.length >= 10
      ? evaluateHeldOut(model, heldOut, options.seed + 1, 10, trackVectors)
      : undefined;
  if (evaluation) {
    options.log(
      `held-out: precision@5 ${evaluation.precisionAt5.toFixed(3)} (MFCC baseline ${evaluation.mfccBaselinePrecisionAt5.toFixed(3)}, chance ${evaluation.chance.toFixed(3)}); ` +
        `10 s voice-note identification top-1 ${evaluation.identificationTop1.toFixed(3)}, matched ${evaluation.identificationMatched.toFixed(3)}, false matches ${evaluation.falseMatchRate.toFixed(3)}`,
    );
  }
  weightsHash.update(JSON.stringify([withFusion.embeddingNormalization, withFusion.fusion]));
  const metadata: ModelMetadata = {
    ...withFusion,
    version: `${new Date().toISOString().slice(0, 10)}-${weightsHash.digest('hex').slice(0, 8)}`,
    ...(gateFit ? { musicGate: gateFit.gate } : {}),
    matching: evaluation?.matching ?? provisional.matching,
    calibration: evaluation?.calibration ?? provisional.calibration,
    training: {
      corpus: options.corpusDescription,
      trainGroups: [...new Set(trainTracks.map((t) => t.group))],
      trainTracks: trainTracks.length,
      trainHoursAnalysed: Number(trainHours.toFixed(2)),
      validationGroups: options.heldOutGroups,
      testGroups,
      // Spectrogram-level augmentation is the `sampler` entry below.
      audioAugmentations: AUDIO_AUGMENTATIONS,
      objective:
        'NT-Xent (SimCLR), temperature 0.1; positives: same-moment voice-note view or another moment of the same track',
      steps: result.steps,
      batchSize,
      sampler: { ...DEFAULT_SAMPLER, ...options.sampler },
      seed: options.seed,
      finalLoss: Number(result.finalLoss.toFixed(4)),
      windowsPerSecond: Number(result.windowsPerSecond.toFixed(1)),
      backend,
      parameters: parameterCount(architecture),
      architecture: `${architecture.kind} ${architecture.channels.join('-')} → ${architecture.embeddingSize}`,
    },
    ...(evaluation
      ? {
          evaluation: {
            validation: {
              ...evaluation,
              ...(fusionChoice ? { fusion: fusionChoice } : {}),
              ...(gateFit
                ? {
                    musicGate: {
                      musicAccepted: gateFit.musicAccepted,
                      otherRejected: gateFit.otherRejected,
                    },
                  }
                : {}),
            },
          },
        }
      : {}),
  };
  await saveModel(options.outDir, architecture, result.weights, metadata);
  options.log(`model written to ${path.resolve(options.outDir)} (version ${metadata.version})`);
  model.dispose();
  return metadata;
}
