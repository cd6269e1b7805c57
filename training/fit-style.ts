/**
 * `npm run fit-style [-- MODEL_DIR [CORPUS_DIR]]`: fits the style and tonality statistics' parts of
 * the track vector (core/features/style.ts, core/features/tonality.ts, core/model/fusion.ts) for an already trained model and writes it
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
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { encodeVoiceNote } from '../core/audio/voice-note.js';
import { computeLogMel } from '../core/features/log-mel.js';
import { STYLE_PARTS, STYLE_SIZE, styleStatistics } from '../core/features/style.js';
import {
  TONALITY_SIZE,
  type TonalitySegment,
  tonalityStatistics,
} from '../core/features/tonality.js';
import type { FusionParams } from '../core/model/fusion.js';
import type { ModelMetadata } from '../core/model/metadata.js';
import { packageRoot } from '../core/util/paths.js';
import { createRng, type Rng, uniform } from '../core/util/random.js';
import { drawAugmentation } from './augmentations.js';
import { FIXTURE_PACKAGES, readCorpusManifest } from './corpus.js';
import { columnStatistics, STYLE_FUSION } from './fusion-search.js';

const CNN_WEIGHT = STYLE_FUSION.cnnWeight;
const STYLE_WEIGHTS: readonly number[] = STYLE_FUSION.styleWeights;
const TONALITY_WEIGHT = STYLE_FUSION.tonalityWeight;

/** Style and tonality statistics of one recording. */
interface Statistics {
  readonly style: Float32Array;
  readonly tonality: Float32Array;
}

/** Both statistics of decoded audio, as the engine computes them. */
function statisticsOf(
  decoded: {
    pcm: Float32Array;
    sampleRate: number;
    segments: readonly { offset: number; length: number }[];
  },
  features: ModelMetadata['features'],
): Statistics {
  const pieces = decoded.segments.map((s) => decoded.pcm.subarray(s.offset, s.offset + s.length));
  const segments: TonalitySegment[] = pieces.map((pcm) => ({
    pcm,
    sampleRate: decoded.sampleRate,
  }));
  return {
    style: styleStatistics(pieces.map((pcm) => computeLogMel(pcm, features))),
    tonality: tonalityStatistics(segments),
  };
}

/** The validation soundtracks of `synesthete train --manifest` (cli/commands/train.ts). */
const VALIDATION = ['blobwars-data', 'freedroidrpg-data', 'pushover-data'];

/** Voice-note excerpts per training track for the clip correction. */
const CLIP_VIEWS = 3;
/** Seconds of each excerpt (what `evaluate --clips` and most voice notes hold). */
const CLIP_SECONDS = 10;
const SEED = 23;

/**
 * Style and tonality statistics of a random 10 s excerpt of `pcm` as the engine sees a voice note
 * of it: through a random voice-note chain (training/augmentations.ts), encoded as Ogg Opus and
 * decoded by the engine's decoder.
 */
async function voiceNoteStatistics(
  pcm: Float32Array,
  features: ModelMetadata['features'],
  ffmpeg: string,
  rng: Rng,
): Promise<Statistics> {
  const length = CLIP_SECONDS * features.sampleRate;
  const start = Math.floor(uniform(rng, 0, Math.max(0, pcm.length - length)));
  const draw = drawAugmentation(rng);
  const bytes = await encodeVoiceNote(
    pcm.slice(start, start + length),
    features.sampleRate,
    draw.chain,
    ffmpeg,
    rng,
  );
  const decoded = await decodeAudio(new Uint8Array(bytes), {
    sampleRate: features.sampleRate,
    name: 'voice-note.ogg',
  });
  return statisticsOf(decoded, features);
}

/**
 * Per-dimension least-squares line from a clip's standardised style statistics to its track's:
 * `z_track ≈ scale · z_clip + offset` (ordinary least squares, one dimension at a time).
 *
 * @param pairs - raw style statistics of excerpts and of their whole tracks
 * @param stats - the standardisation (training-track mean and standard deviation)
 * @returns `scale` and `offset`, one value per dimension each, rounded to 6 significant digits
 */
export function clipCorrection(
  pairs: ReadonlyArray<{ clip: Float32Array; track: Float32Array }>,
  stats: { mean: readonly number[]; std: readonly number[] },
): { scale: number[]; offset: number[] } {
  const scale: number[] = [];
  const offset: number[] = [];
  const round = (x: number) => Number(x.toPrecision(6));
  for (let d = 0; d < stats.mean.length; d++) {
    const sd = Math.max(stats.std[d]!, 1e-6);
    const xs = pairs.map((p) => (p.clip[d]! - stats.mean[d]!) / sd);
    const ys = pairs.map((p) => (p.track[d]! - stats.mean[d]!) / sd);
    const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const a = sxx > 1e-9 ? sxy / sxx : 0;
    scale.push(round(a));
    offset.push(round(my - a * mx));
  }
  return { scale, offset };
}

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
  const ffmpeg = (await resolveFfmpeg()).path;
  const rng = createRng(SEED);
  const vectors: Float32Array[] = [];
  const tonalities: Float32Array[] = [];
  /** (voice-note excerpt, its whole track) pairs of raw style and tonality statistics. */
  const pairs: Array<{ clip: Float32Array; track: Float32Array }> = [];
  const tonalityPairs: Array<{ clip: Float32Array; track: Float32Array }> = [];
  for (const [i, item] of train.entries()) {
    process.stderr.write(`\rstyle statistics ${i + 1}/${train.length}`);
    try {
      const decoded = await decodeAudio(item.file, {
        sampleRate: features.sampleRate,
        maxAnalysedS: 360,
        segments: 4,
        timeoutMs: 120_000,
      });
      const track = statisticsOf(decoded, features);
      vectors.push(track.style);
      tonalities.push(track.tonality);
      for (let v = 0; v < CLIP_VIEWS; v++) {
        const clip = await voiceNoteStatistics(decoded.pcm, features, ffmpeg, rng);
        pairs.push({ clip: clip.style, track: track.style });
        tonalityPairs.push({ clip: clip.tonality, track: track.tonality });
      }
    } catch (error) {
      process.stderr.write(`\n${item.file}: ${(error as Error).message}\n`);
    }
  }
  process.stderr.write('\n');
  const stats = columnStatistics(vectors);
  if (stats.mean.length !== STYLE_SIZE) throw new Error('style vector length changed');
  const clip = clipCorrection(pairs, stats);
  const tonalityStats = columnStatistics(tonalities);
  if (tonalityStats.mean.length !== TONALITY_SIZE)
    throw new Error('tonality vector length changed');
  const fusion: FusionParams = {
    ...metadata.fusion,
    weight: CNN_WEIGHT,
    style: { weights: [...STYLE_WEIGHTS], ...stats, clip },
    tonality: {
      weight: TONALITY_WEIGHT,
      ...tonalityStats,
      clip: clipCorrection(tonalityPairs, tonalityStats),
    },
  };
  const partsNote = [
    ...STYLE_PARTS.map((p, i) => `${p.name} ${STYLE_WEIGHTS[i]}`),
    `tonality ${TONALITY_WEIGHT}`,
  ].join(', ');
  const digest = createHash('sha256').update(JSON.stringify(fusion)).digest('hex').slice(0, 8);
  const version = `${new Date().toISOString().slice(0, 10)}-${digest}`;
  const updated = {
    ...metadata,
    version,
    fusion,
    fusionMethod: `track vector: CNN ${CNN_WEIGHT}, ${partsNote}, full-band timbre the rest; style and tonality statistics standardised with ${vectors.length} training-soundtrack tracks; a clip's standardised style and tonality statistics corrected per dimension by least squares toward its track's, on ${pairs.length} 10 s voice-note excerpts of those tracks through random voice-note chains (npm run fit-style)`,
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
