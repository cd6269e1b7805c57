/**
 * `npm run fit-style [-- MODEL_DIR [CORPUS_DIR]]`: fits the style statistics' part of the track
 * vector (core/features/style.ts, core/model/fusion.ts) for an already trained model and writes it
 * into the model's metadata.json: the per-dimension mean and standard deviation of the style
 * vector over the training soundtracks (decoded as ingest decodes a catalogue track: up to 6 min
 * in 4 segments), and the weights of the parts (`STYLE_FUSION` of training/fusion-search.ts, chosen on the validation
 * soundtracks and measured on the real-music clips of docs/similarity.md). The model's version
 * changes, since every track vector does: catalogues must be re-ingested (`ingest --force`).
 * The test soundtracks (the model's held-out groups) are never read.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeAudio } from '../core/audio/decode.js';
import { computeLogMel } from '../core/features/log-mel.js';
import { STYLE_PARTS, STYLE_SIZE, styleStatistics } from '../core/features/style.js';
import type { FusionParams } from '../core/model/fusion.js';
import type { ModelMetadata } from '../core/model/metadata.js';
import { packageRoot } from '../core/paths.js';
import { FIXTURE_PACKAGES, readCorpusManifest } from './corpus.js';
import { columnStatistics, STYLE_FUSION } from './fusion-search.js';

const CNN_WEIGHT = STYLE_FUSION.cnnWeight;
const STYLE_WEIGHTS: readonly number[] = STYLE_FUSION.styleWeights;

/** The validation soundtracks of `synesthete train --manifest` (cli/commands/train.ts). */
const VALIDATION = ['blobwars-data', 'freedroidrpg-data', 'pushover-data'];

async function main(): Promise<void> {
  const root = packageRoot();
  const modelDir = path.resolve(process.argv[2] ?? path.join(root, 'models', 'synesthete-cnn'));
  const corpus = path.resolve(process.argv[3] ?? path.join(root, 'data', 'corpus'));
  const metadataPath = path.join(modelDir, 'metadata.json');
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as ModelMetadata & {
    training?: { heldOutGroups?: string[] };
  };
  if (!metadata.fusion) throw new Error(`${metadataPath} has no fusion settings to extend`);
  const test = metadata.training?.heldOutGroups ?? [...FIXTURE_PACKAGES];
  const train = (await readCorpusManifest(path.join(corpus, 'manifest.csv'))).filter(
    (i) => !test.includes(i.group) && !VALIDATION.includes(i.group),
  );
  const { features } = metadata;
  const vectors: Float32Array[] = [];
  for (const [i, item] of train.entries()) {
    process.stderr.write(`\rstyle statistics ${i + 1}/${train.length}`);
    try {
      const decoded = await decodeAudio(item.file, {
        sampleRate: features.sampleRate,
        maxAnalysedS: 360,
        segments: 4,
        timeoutMs: 120_000,
      });
      const spectrograms = decoded.segments.map((s) =>
        computeLogMel(decoded.pcm.subarray(s.offset, s.offset + s.length), features),
      );
      vectors.push(styleStatistics(spectrograms));
    } catch (error) {
      process.stderr.write(`\n${item.file}: ${(error as Error).message}\n`);
    }
  }
  process.stderr.write('\n');
  const stats = columnStatistics(vectors);
  if (stats.mean.length !== STYLE_SIZE) throw new Error('style vector length changed');
  const fusion: FusionParams = {
    ...metadata.fusion,
    weight: CNN_WEIGHT,
    style: { weights: [...STYLE_WEIGHTS], ...stats },
  };
  const partsNote = STYLE_PARTS.map((p, i) => `${p.name} ${STYLE_WEIGHTS[i]}`).join(', ');
  const digest = createHash('sha256').update(JSON.stringify(fusion)).digest('hex').slice(0, 8);
  const version = `${new Date().toISOString().slice(0, 10)}-${digest}`;
  const updated = {
    ...metadata,
    version,
    fusion,
    fusionMethod: `track vector: CNN ${CNN_WEIGHT}, ${partsNote}, full-band timbre the rest; style statistics standardised with ${vectors.length} training-soundtrack tracks (npm run fit-style)`,
  };
  await writeFile(metadataPath, `${JSON.stringify(updated, null, 2)}\n`);
  process.stderr.write(`wrote ${metadataPath}: version ${version}, ${vectors.length} tracks\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
