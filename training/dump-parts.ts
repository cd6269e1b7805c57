/**
 * `npx tsx training/dump-parts.ts OUT.jsonl FILE…` (or `--list FILE_OF_PATHS`): writes, for each
 * audio file, the raw parts the track vector is fused from — the pooled CNN embedding, the
 * full-band timbre statistics, the style and the tonality statistics — as the default ingest profile computes
 * them, and the same for one voice-note view of the file (a 10 s excerpt through a random
 * voice-note chain, analysed as a clip; no timbre). One JSON line per file:
 * `{ file, cnn, timbre, style, tonality, view: { cnn, style, tonality } | null }`. `--cnn-only` (a first argument) skips
 * the full-band timbre (to compare models: the style parts do not depend on the model);
 * `--evaluation-chain` puts the view through `synesthete evaluate`'s fixed chain instead;
 * `--view-seed N` draws another view; `--lowpass MIN-MAX` sets the chain's low-pass range (Hz).
 *
 * For research on how the parts are standardised and weighted (training/fusion-search.ts reads
 * fused vectors; this keeps the parts apart). Runs two files at a time.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { CATALOG_ANALYSIS, QUERY_MAX_WINDOWS } from '../core/analysis/analyze.js';
import { decodeAudio } from '../core/audio/decode.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import {
  EVALUATION_VOICE_NOTE,
  encodeVoiceNote,
  type VoiceNoteOptions,
} from '../core/audio/voice-note.js';
import { computeLogMel } from '../core/features/log-mel.js';
import { styleStatistics } from '../core/features/style.js';
import { TIMBRE_PARAMS, timbreStatistics } from '../core/features/timbre.js';
import { tonalityStatistics } from '../core/features/tonality.js';
import { drawVoiceNoteChain, VIEW_SECONDS } from '../core/library/voice-note-view.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../core/model/embedder.js';
import { createRng, type Rng, uniform } from '../core/util/random.js';

const round = (v: Float32Array): number[] => Array.from(v, (x) => Math.round(x * 1e5) / 1e5);

async function parts(
  input: string | Uint8Array,
  model: EmbeddingModel,
  clip: boolean,
  cnnOnly = false,
): Promise<{
  cnn: number[];
  style: number[];
  tonality: number[];
  timbre?: number[];
  durationS: number;
}> {
  const { features } = model.metadata;
  const decoded = await decodeAudio(input, {
    sampleRate: features.sampleRate,
    ...(clip ? {} : { maxAnalysedS: CATALOG_ANALYSIS.maxAnalysedS, segments: 6 }),
  });
  const spectrograms = decoded.segments.map((s) =>
    computeLogMel(decoded.pcm.subarray(s.offset, s.offset + s.length), features),
  );
  const embedding = model.embedSpectrograms(
    spectrograms,
    clip ? QUERY_MAX_WINDOWS : CATALOG_ANALYSIS.maxWindows,
    clip ? model.metadata.window.queryHopFrames : undefined,
  );
  const out = {
    cnn: round(embedding.embedding),
    style: round(styleStatistics(spectrograms)),
    tonality: round(
      tonalityStatistics(
        decoded.segments.map((s) => ({
          pcm: decoded.pcm.subarray(s.offset, s.offset + s.length),
          sampleRate: decoded.sampleRate,
        })),
      ),
    ),
    durationS: decoded.sourceDurationS,
  };
  if (clip || cnnOnly) return out;
  const wide = await decodeAudio(input, {
    sampleRate: TIMBRE_PARAMS.sampleRate,
    maxAnalysedS: 60,
    segments: 3,
  });
  return { ...out, timbre: round(timbreStatistics(wide.pcm)) };
}

async function view(
  file: string,
  durationS: number,
  model: EmbeddingModel,
  ffmpeg: string,
  cnnOnly: boolean,
  chain: (rng: Rng) => VoiceNoteOptions,
  seed: number,
): Promise<{ cnn: number[]; style: number[]; tonality: number[]; durationS: number } | null> {
  const rng = createRng(file.length * 7919 + durationS + seed * 104_729);
  const offset = uniform(rng, 0, Math.max(0, durationS - VIEW_SECONDS));
  const { stdout, code } = await runProcess(ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-ss', offset.toFixed(2), '-t', String(VIEW_SECONDS), '-i', file],
    ...['-ac', '1', '-ar', '48000', '-f', 'f32le', 'pipe:1'],
  ]);
  if (code !== 0 || stdout.length < 4) return null;
  const pcm = new Float32Array(stdout.byteLength >> 2);
  Buffer.from(pcm.buffer).set(stdout.subarray(0, pcm.length * 4));
  const ogg = await encodeVoiceNote(pcm, 48_000, chain(rng), ffmpeg, rng);
  return parts(new Uint8Array(ogg), model, true, cnnOnly);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flags = new Set<string>();
  let viewSeed = 0;
  let lowpass: [number, number] | undefined;
  while (args[0]?.startsWith('--') && args[0] !== '--list') {
    const flag = args.shift()!;
    if (flag === '--view-seed') viewSeed = Number(args.shift());
    else if (flag === '--lowpass')
      lowpass = args.shift()!.split('-').map(Number) as [number, number];
    else flags.add(flag);
  }
  const cnnOnly = flags.has('--cnn-only');
  const chain = flags.has('--evaluation-chain')
    ? () => EVALUATION_VOICE_NOTE
    : (rng: Rng) => drawVoiceNoteChain(rng, lowpass);
  const out = args.shift();
  if (!out) throw new Error('usage: dump-parts.ts OUT.jsonl FILE… | --list FILE');
  const files =
    args[0] === '--list' ? (await readFile(args[1]!, 'utf8')).split('\n').filter(Boolean) : args;
  const model = await loadEmbeddingModel();
  const ffmpeg = (await resolveFfmpeg()).path;
  const sink = createWriteStream(out);
  const limit = pLimit(2);
  let done = 0;
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        try {
          const track = await parts(file, model, false, cnnOnly);
          const v = await view(
            file,
            track.durationS,
            model,
            ffmpeg,
            cnnOnly,
            chain,
            viewSeed,
          ).catch(() => null);
          sink.write(`${JSON.stringify({ file, ...track, view: v })}\n`);
        } catch (error) {
          process.stderr.write(`${file}: ${(error as Error).message}\n`);
        }
        done++;
        if (done % 20 === 0) process.stderr.write(`${done}/${files.length}\n`);
      }),
    ),
  );
  sink.end();
  model.dispose();
}

await main();
