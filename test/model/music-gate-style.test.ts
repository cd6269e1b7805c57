/**
 * A gate with style inputs and a hidden layer through the query path (analyzeAudio as a
 * recommend runs it), on a real voice note: the engine feeds it the clip's style statistics, the
 * extra inputs change P(music) exactly as the documented formula says, and with zero weights the
 * verdict is the older gate's (metadata without the new fields loads and judges as before).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../core/analysis/analyze.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../../core/audio/voice-note.js';
import type { LogMelSpectrogram } from '../../core/features/log-mel.js';
import { styleStatistics } from '../../core/features/style.js';
import { loadEmbeddingModel } from '../../core/model/embedder.js';
import {
  GATE_STYLE_FEATURES,
  gateStyleFeatures,
  type MusicGateParams,
} from '../../core/model/music-gate.js';
import { createRng } from '../../core/util/random.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';

const MODEL = path.join(REPO_ROOT, 'models', 'synesthete-cnn');
const logit = (p: number) => Math.log(p / (1 - p));

describe('a music gate with style inputs and a hidden layer, on a real voice note', () => {
  let dir: string;
  let clip: Uint8Array;
  let shipped: MusicGateParams;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gate-style-'));
    await cp(MODEL, dir, { recursive: true });
    // The shipped gate without its own style inputs and hidden layer: the linear form.
    const {
      style: _style,
      hidden: _hidden,
      ...linear
    } = JSON.parse(await readFile(path.join(MODEL, 'metadata.json'), 'utf8'))
      .musicGate as MusicGateParams;
    shipped = linear;
    const decoded = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
      sampleRate: 48_000,
      maxAnalysedS: 10,
    });
    clip = new Uint8Array(
      await encodeVoiceNote(
        decoded.pcm,
        48_000,
        EVALUATION_VOICE_NOTE,
        ffmpegBinary(),
        createRng(5),
      ),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The query path's analysis with `gate` in the model's metadata. */
  async function analyse(gate: MusicGateParams) {
    const metadata = JSON.parse(await readFile(path.join(MODEL, 'metadata.json'), 'utf8'));
    await writeFile(
      path.join(dir, 'metadata.json'),
      JSON.stringify({ ...metadata, musicGate: gate }),
    );
    const model = await loadEmbeddingModel(dir);
    try {
      return await analyzeAudio(clip, model, { query: true });
    } finally {
      model.dispose();
    }
  }

  it('reads the clip style statistics and adds their terms to the logit', async () => {
    const before = await analyse(shipped);
    const p0 = before.music?.probability ?? Number.NaN;
    expect(p0).toBeGreaterThan(0);
    expect(p0).toBeLessThan(1);
    const n = GATE_STYLE_FEATURES.length;
    const dim = shipped.weights.length + (shipped.descriptors?.weights.length ?? 0) + n;
    const zeros = (k: number) => new Array<number>(k).fill(0);
    // Zero style weights and a silent hidden layer: the older gate's probability.
    const silent: MusicGateParams = {
      ...shipped,
      style: {
        names: GATE_STYLE_FEATURES,
        mean: zeros(n),
        std: zeros(n).map(() => 1),
        weights: zeros(n),
      },
      hidden: {
        embeddingMean: zeros(shipped.weights.length),
        embeddingStd: zeros(shipped.weights.length).map(() => 1),
        weights: zeros(2 * dim),
        bias: [0, 0],
        output: [1, 1],
      },
    };
    expect((await analyse(silent)).music?.probability).toBeCloseTo(p0, 6);

    // One style weight and one hidden unit that passes one style feature through.
    const style = gateStyleFeatures(styleStatistics([before.spectrogram as LogMelSpectrogram]));
    const j = GATE_STYLE_FEATURES.indexOf('modulation8');
    const hiddenWeights = zeros(2 * dim);
    hiddenWeights[dim - n + j] = 1; // unit 0 reads modulation8 (mean 0, std 1)
    const active: MusicGateParams = {
      ...silent,
      style: { ...silent.style!, weights: zeros(n).map((_, i) => (i === j ? -0.5 : 0)) },
      hidden: { ...silent.hidden!, weights: hiddenWeights, output: [2, 0] },
    };
    const p1 = (await analyse(active)).music?.probability ?? Number.NaN;
    const expected = logit(p0) - 0.5 * style[j]! + 2 * Math.max(0, style[j]!);
    expect(style[j]).not.toBe(0);
    expect(logit(p1)).toBeCloseTo(expected, 4);
  }, 120_000);
});
