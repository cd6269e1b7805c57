/** `synesthete train <dir>`: the model's training pipeline on a folder of music. */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { packageRoot } from '../../core/util/paths.js';
import type { CorpusItem } from '../../training/corpus.js';
import { positiveInt, reportError } from '../common.js';

interface TrainOptions {
  manifest?: boolean;
  out: string;
  steps: number;
  batchSize: number;
  seed: number;
  maxSeconds: number;
  heldOut?: string;
  validation?: string;
  cacheOnly?: boolean;
  identificationPairs?: number;
  cache?: string;
  run?: string;
}

/**
 * Validation soundtracks of the Debian corpus: 41 tracks in 3 packages, none of them a fixture
 * package; the choices of the pipeline (fusion weight, thresholds, calibration, gate) are made
 * on them.
 */
const CORPUS_VALIDATION = ['blobwars-data', 'freedroidrpg-data', 'pushover-data'];

const groupList = (value: string) =>
  value
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);

/** Holds out about a fifth of the groups (at least 2) when there are 5 or more, chosen by name. */
function defaultHeldOut(items: readonly CorpusItem[]): string[] {
  const groups = [...new Set(items.map((i) => i.group))].sort();
  if (groups.length < 5) return [];
  const count = Math.max(2, Math.round(groups.length / 5));
  return groups.filter((_, i) => i % Math.floor(groups.length / count) === 0).slice(0, count);
}

/** Registers the command. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'train the CNN on a folder of music (self-supervised: needs no labels) and export it',
    )
    .argument(
      '<source>',
      'a music folder (each top-level sub-folder is one group), or with --manifest the manifest.csv of scripts/fetch-corpus.sh',
    )
    .option('--manifest', 'treat <source> as a corpus manifest.csv (columns file, package)')
    .option(
      '--out <dir>',
      'where to write model.json, weights.bin and metadata.json',
      'models/custom',
    )
    .option('--steps <n>', 'training steps', positiveInt, 600)
    .option('--batch-size <n>', 'positive pairs per step', positiveInt, 64)
    .option('--seed <n>', 'random seed', positiveInt, 7)
    .option(
      '--max-seconds <n>',
      'seconds analysed per track (spread over the track)',
      positiveInt,
      90,
    )
    .option(
      '--validation <groups>',
      'comma-separated groups kept out of training, on which the fusion weight, thresholds, calibration and music gate are chosen (default: a fifth of the groups; with --manifest: blobwars-data, freedroidrpg-data, pushover-data)',
    )
    .option(
      '--held-out <groups>',
      'comma-separated test groups: kept out of training and of every choice, only reported (default: none; with --manifest: the fixture soundtracks)',
    )
    .option('--cache-only', 'build the spectrogram cache and stop (no training)')
    .option(
      '--identification-pairs <fraction>',
      'share of positive pairs taken from the same moment (rest: other moments of the track), 0..1',
      (v: string) => {
        const x = Number(v);
        if (!(x >= 0 && x <= 1))
          throw new InvalidArgumentError('expected a number between 0 and 1');
        return x;
      },
    )
    .option('--cache <dir>', 'spectrogram cache directory (default data/cache/spectrograms)')
    .option(
      '--run <dir>',
      'checkpoint directory; an interrupted run with the same directory resumes (default training/runs/<out name>)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  synesthete train ~/Music --out models/my-library --steps 400\n' +
        '  scripts/fetch-corpus.sh && synesthete train data/corpus/manifest.csv --manifest --out models/synesthete-cnn\n' +
        '\nThen use it with --model models/my-library (or SYNESTHETE_MODEL_DIR) and re-ingest your catalogue.',
    )
    .action(async (source: string, options: TrainOptions) => {
      try {
        const { FIXTURE_PACKAGES, readCorpusManifest, scanCorpusFolder } = await import(
          '../../training/corpus.js'
        );
        const { runTrainingPipeline } = await import('../../training/pipeline.js');
        const items = options.manifest
          ? await readCorpusManifest(source)
          : await scanCorpusFolder(source);
        const validation = options.validation
          ? groupList(options.validation)
          : options.manifest
            ? CORPUS_VALIDATION
            : defaultHeldOut(items);
        const test = options.heldOut
          ? groupList(options.heldOut)
          : options.manifest
            ? [...FIXTURE_PACKAGES]
            : [];
        const root = packageRoot();
        await runTrainingPipeline({
          items,
          heldOutGroups: validation,
          testGroups: test,
          cacheOnly: options.cacheOnly ?? false,
          outDir: path.resolve(options.out),
          cacheDir: path.resolve(options.cache ?? path.join(root, 'data', 'cache', 'spectrograms')),
          runDir: path.resolve(
            options.run ?? path.join(root, 'training', 'runs', path.basename(options.out)),
          ),
          steps: options.steps,
          batchSize: options.batchSize,
          seed: options.seed,
          maxSecondsPerTrack: options.maxSeconds,
          ...(options.identificationPairs !== undefined
            ? { sampler: { identificationProbability: options.identificationPairs } }
            : {}),
          corpusDescription: options.manifest
            ? `Debian game soundtracks (../shared/DATA.md) from ${path.resolve(source)}`
            : `music folder ${path.resolve(source)}`,
          progress: true,
          log: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
