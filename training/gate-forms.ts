/**
 * `node dist/training/gate-forms.js FEATURES.jsonl FORM…`: compares forms of the music gate on
 * the same clips, without embedding anything again. FEATURES.jsonl is what
 * `npm run refit-gate -- --features-out FILE` writes (every fit and validation clip's mean window
 * embedding, speech/music descriptors in the order of core/features/speech-music.ts, style
 * statistics and loudness); each FORM is fitted on the fit clips, its threshold chosen on the
 * validation clips as refit-gate chooses it (training/music-gate.ts `chooseThreshold`), and its
 * validation figures printed per kind.
 *
 * A FORM is a comma-free list of words separated by "+": `base` (the nine descriptors of the
 * gates before the tonality and pulse descriptors), `all` (every descriptor), `-NAME` (leave a
 * descriptor out), `NAME` (add one), `style`, `hN` (N hidden units), `l2=X`, `min=X` (share of validation music the threshold keeps), `balance` (weigh the
 * non-music kinds alike). Example: `all+balance`, `base+peakPersistence+pulseRegularity`.
 * A FORM `gate=MODEL_DIR` measures the gate of that model's metadata.json as it is (fitted
 * elsewhere; only its threshold and inputs are used). The FORM `describe` prints instead, for every descriptor, its mean per kind on the validation
 * clips and how well it alone ranks music above real recordings (area under the ROC curve).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SPEECH_MUSIC_DESCRIPTORS } from '../core/features/speech-music.js';
import { judgeMusic, type MusicGateParams } from '../core/model/music-gate.js';
import { balancedByKind, type GateForm, withDescriptors } from './fit-gate.js';
import {
  CLIP_L2,
  type ClipFeatures,
  chooseThreshold,
  fitClipClassifier,
  gateParams,
} from './music-gate.js';
import { SOUND_KINDS } from './real-sounds.js';

/** One clip of a features file. */
interface FeatureClip extends ClipFeatures {
  readonly set: 'fit' | 'validation';
  readonly music: boolean;
  readonly kind: string;
  readonly loudnessDb: number;
}

/** The descriptors of the gates fitted before the tonality and pulse descriptors. */
const BASE = SPEECH_MUSIC_DESCRIPTORS.slice(0, 9);

/**
 * Parses a FORM (see the file's comment).
 *
 * @throws Error on an unknown word
 */
export function parseForm(text: string): GateForm {
  let names: string[] = [...SPEECH_MUSIC_DESCRIPTORS];
  let style = false;
  let hidden = 0;
  let l2 = CLIP_L2;
  let balanceKinds = false;
  let minMusicAccepted: number | undefined;
  const known = SPEECH_MUSIC_DESCRIPTORS as readonly string[];
  for (const word of text.split('+').filter(Boolean)) {
    if (word === 'all') names = [...known];
    else if (word === 'base') names = [...BASE];
    else if (word === 'style') style = true;
    else if (word === 'balance') balanceKinds = true;
    else if (/^h\d+$/.test(word)) hidden = Number(word.slice(1));
    else if (word.startsWith('l2=')) l2 = Number(word.slice(3));
    else if (word.startsWith('min=')) minMusicAccepted = Number(word.slice(4));
    else if (word.startsWith('-') && known.includes(word.slice(1))) {
      names = names.filter((n) => n !== word.slice(1));
    } else if (known.includes(word)) {
      if (!names.includes(word)) names.push(word);
    } else throw new Error(`unknown word "${word}" in form "${text}"`);
  }
  names.sort((a, b) => known.indexOf(a) - known.indexOf(b));
  return {
    descriptors: names,
    style,
    hidden,
    l2,
    balanceKinds,
    ...(minMusicAccepted ? { minMusicAccepted } : {}),
  };
}

/** Reads a features file. */
async function readFeatures(file: string): Promise<FeatureClip[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const o = JSON.parse(l) as {
        set: 'fit' | 'validation';
        music: boolean;
        kind: string;
        loudnessDb?: number;
        meanEmbedding: number[];
        descriptors: number[];
        style: number[];
      };
      return {
        set: o.set,
        music: o.music,
        kind: o.kind,
        loudnessDb: o.loudnessDb ?? -20,
        meanEmbedding: Float32Array.from(o.meanEmbedding),
        descriptors: Float64Array.from(o.descriptors),
        ...(o.style.length > 0 ? { style: Float32Array.from(o.style) } : {}),
      };
    });
}

/** The music gate of a model's metadata.json. */
async function readGate(modelDir: string): Promise<MusicGateParams> {
  const metadata = JSON.parse(await readFile(path.join(modelDir, 'metadata.json'), 'utf8')) as {
    musicGate?: MusicGateParams;
  };
  if (!metadata.musicGate) throw new Error(`${modelDir} has no music gate`);
  return metadata.musicGate;
}

/** What one form gives on the validation clips. */
export interface FormResult {
  readonly threshold: number;
  /** For a gate fitted elsewhere: the threshold this file's validation clips would choose. */
  readonly bestThreshold?: { threshold: number; musicAccepted: number; otherRejected: number };
  readonly musicAccepted: number;
  readonly otherRejected: number;
  readonly byKind: Record<string, { n: number; rate: number }>;
}

/**
 * Fits one form on the fit clips and measures it on the validation clips.
 *
 * @param clips - clips of a features file (descriptors: every one, in engine order)
 * @param form - the gate's form
 */
export function measureForm(
  clips: readonly FeatureClip[],
  form: GateForm,
  fitted?: MusicGateParams,
): FormResult {
  const validation = clips
    .filter((c) => c.set === 'validation')
    .map((c) => ({ ...c, rows: c.meanEmbedding, count: 1 }));
  if (fitted) {
    const choice = chooseThreshold(validation, fitted);
    return { ...rates(validation, fitted), threshold: fitted.threshold, bestThreshold: choice };
  }
  const names = form.descriptors ?? SPEECH_MUSIC_DESCRIPTORS;
  const fit = clips.filter((c) => c.set === 'fit');
  const fitOther = fit.filter((c) => !c.music);
  const dim = fit[0]?.meanEmbedding.length ?? 0;
  const classifier = fitClipClassifier(
    withDescriptors(
      fit.filter((c) => c.music),
      names,
    ),
    withDescriptors(form.balanceKinds ? balancedByKind(fitOther) : fitOther, names),
    dim,
    names,
    form,
  );
  const choice = chooseThreshold(validation, classifier, form.minMusicAccepted);
  return { ...rates(validation, gateParams(classifier, choice.threshold, '')), ...choice };
}

/** Music kept and non-music rejected per kind by a gate, and in all. */
function rates(
  validation: ReadonlyArray<FeatureClip & { rows: Float32Array; count: number }>,
  gate: MusicGateParams,
): Omit<FormResult, 'threshold'> {
  const byKind: Record<string, { n: number; rate: number }> = {};
  for (const kind of new Set(validation.map((c) => c.kind))) {
    const of = validation.filter((c) => c.kind === kind);
    const kept = of.filter(
      (c) => judgeMusic(c.rows, 1, c.loudnessDb, gate, c.descriptors, c.style).isMusic,
    ).length;
    byKind[kind] = { n: of.length, rate: (kind === 'music' ? kept : of.length - kept) / of.length };
  }
  const other = validation.filter((c) => !c.music);
  return {
    musicAccepted: byKind.music?.rate ?? 0,
    otherRejected:
      other.length > 0
        ? other.filter(
            (c) => !judgeMusic(c.rows, 1, c.loudnessDb, gate, c.descriptors, c.style).isMusic,
          ).length / other.length
        : 0,
    byKind,
  };
}

/**
 * Area under the ROC curve of one value ranking `positive` above `negative` (ties count half;
 * Mann–Whitney U / (n₊ n₋)); 0.5 is chance, below 0.5 the value ranks the other way.
 */
export function rocArea(positive: readonly number[], negative: readonly number[]): number {
  if (positive.length === 0 || negative.length === 0) return 0.5;
  let wins = 0;
  for (const p of positive) {
    for (const n of negative) wins += p > n ? 1 : p === n ? 0.5 : 0;
  }
  return wins / (positive.length * negative.length);
}

/** Prints every descriptor's mean per validation kind and its ROC area, music against real. */
function describe(clips: readonly FeatureClip[], real: ReadonlySet<string>): void {
  const validation = clips.filter((c) => c.set === 'validation');
  const kinds = [...new Set(validation.map((c) => c.kind))];
  process.stdout.write(`descriptor  AUC(music>real)  ${kinds.join('  ')}\n`);
  SPEECH_MUSIC_DESCRIPTORS.forEach((name, j) => {
    const of = (pick: (c: FeatureClip) => boolean) =>
      validation.filter(pick).map((c) => c.descriptors[j] ?? 0);
    const auc = rocArea(
      of((c) => c.music),
      of((c) => real.has(c.kind)),
    );
    const means = kinds.map((k) => {
      const v = of((c) => c.kind === k);
      return (v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)).toFixed(3);
    });
    process.stdout.write(`${name}  ${auc.toFixed(3)}  ${means.join('  ')}\n`);
  });
}

async function main(): Promise<void> {
  const [file, ...forms] = process.argv.slice(2);
  if (!file || forms.length === 0) {
    throw new Error('usage: gate-forms FEATURES.jsonl FORM… (e.g. base all all+balance)');
  }
  const clips = await readFeatures(file);
  const real = new Set<string>(SOUND_KINDS);
  for (const text of forms) {
    if (text === 'describe') {
      describe(clips, real);
      continue;
    }
    const r = text.startsWith('gate=')
      ? measureForm(clips, {}, await readGate(text.slice(5)))
      : measureForm(clips, parseForm(text));
    const pooled = (pick: (k: string) => boolean) => {
      const kinds = Object.entries(r.byKind).filter(([k]) => k !== 'music' && pick(k));
      const n = kinds.reduce((s, [, v]) => s + v.n, 0);
      return n > 0 ? kinds.reduce((s, [, v]) => s + v.rate * v.n, 0) / n : 0;
    };
    const pct = (x: number) => (100 * x).toFixed(1);
    process.stdout.write(
      `${text}: threshold ${r.threshold}${r.bestThreshold ? ` (these clips would choose ${r.bestThreshold.threshold})` : ''}, music kept ${pct(r.musicAccepted)} %, non-music rejected ${pct(r.otherRejected)} % (generated ${pct(pooled((k) => !real.has(k)))}, real ${pct(pooled((k) => real.has(k)))}); ${Object.entries(
        r.byKind,
      )
        .filter(([k]) => k !== 'music')
        .map(([k, v]) => `${k} ${pct(v.rate)}`)
        .join(', ')}\n`,
    );
  }
}

if (process.argv[1]?.endsWith('gate-forms.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
