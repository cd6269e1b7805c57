/**
 * `npm run evaluate-held-out [-- [--gate-only] [--real-clips N] [--real-seed S] MODEL_DIR
 * [CORPUS_DIR]]`: the figures of record of a trained model, measured through the product itself on
 * soundtracks the model never saw.
 *
 * 1. The test packages of the model's metadata.json (training.testGroups) are read from the corpus
 *    manifest (scripts/fetch-corpus.sh) and a labels CSV (file, package) is written.
 * 2. Non-music test clips are generated once (espeak-ng voices and sentences that fitting never
 *    used, sox noise, a quiet room) and written as Ogg Opus voice notes; when data/sounds holds
 *    the real recordings of scripts/fetch-sounds.sh, voice notes of its test packages
 *    (training/real-sounds.ts `SOUND_SPLIT.test`, never fitted on nor used for the threshold)
 *    are written beside them in real/, each named `KIND-PACKAGE-NNN.ogg` so that the report
 *    gives the gate's rejection per kind.
 * 3. `synesthete ingest` puts the test tracks into a fresh PGlite catalogue, and
 *    `synesthete evaluate --baseline --identify --non-music … --json` measures precision@5 against
 *    the MFCC baseline, identification of 10 s voice-note excerpts, the music gate and the
 *    confidence reliability.
 * 4. The report is printed and stored in metadata.json under evaluation.test, and the music gate's
 *    figures (music kept; non-music rejected in all, generated, real and per kind) also under
 *    evaluation.musicGateTest. This does not change the model version: only weights,
 *    standardisation and fusion do.
 *
 * `--real-clips N --real-seed S` draw another set of real recordings of the same test packages
 * (default 120 clips, about 17 of each kind; more give steadier per-kind figures), written into a
 * folder of its own; the command stored with the figures names them.
 *
 * With `--gate-only` no catalogue is built: the gate alone is measured on the same test tracks
 * and non-music clips through the query path's analysis (training/gate-report.ts), and only
 * evaluation.musicGateTest is written; evaluation.test is left as it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import { loadEmbeddingModel } from '../core/model/embedder.js';
import { packageRoot } from '../core/util/paths.js';
import { FIXTURE_PACKAGES, readCorpusManifest } from './corpus.js';
import {
  type GateRate,
  type GateReport,
  measureGate,
  writeMusicVoiceNotes,
} from './gate-report.js';
import { nonMusicClips } from './non-music.js';
import {
  readSoundManifest,
  realSoundVoiceNotes,
  SOUND_KINDS,
  SOUND_SPLIT,
  soundSplit,
} from './real-sounds.js';

const NON_MUSIC_CLIPS = 60;
const NON_MUSIC_SEED = 20_261_121;
/** Voice notes of real recordings of the test packages, and their seed. */
const REAL_SOUND_CLIPS = 120;
const REAL_SOUND_SEED = 20_261_206;

function cli(args: string[], root: string): string {
  const result = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`synesthete ${args[0]} failed (${result.status})`);
  return result.stdout;
}

async function writeNonMusic(dir: string, ffmpeg: string): Promise<void> {
  if (existsSync(path.join(dir, 'done'))) return;
  await mkdir(dir, { recursive: true });
  process.stderr.write(`generating ${NON_MUSIC_CLIPS} non-music test clips in ${dir}\n`);
  const clips = await nonMusicClips('test', NON_MUSIC_CLIPS, 10, 48_000, ffmpeg, NON_MUSIC_SEED);
  for (const [i, clip] of clips.entries()) {
    const name = `${clip.kind.replace(/[^a-z]+/g, '_')}-${String(i).padStart(3, '0')}.ogg`;
    const raw = path.join(dir, `${name}.f32`);
    await writeFile(raw, Buffer.from(clip.pcm.buffer, clip.pcm.byteOffset, clip.pcm.byteLength));
    const { code, stderr } = await runProcess(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'f32le', '-ar', '48000', '-ac', '1'],
      ...['-i', raw, '-c:a', 'libopus', '-b:a', '32k', path.join(dir, name)],
    ]);
    await rm(raw);
    if (code !== 0) throw new Error(`ffmpeg could not encode ${name}: ${stderr}`);
  }
  await writeFile(path.join(dir, 'done'), `${clips.length}\n`);
}

/**
 * Writes voice notes of the test packages' real recordings into `dir` (once), named
 * KIND-PACKAGE-NNN.ogg; returns false when data/sounds has no manifest.
 */
async function writeRealSounds(
  dir: string,
  sounds: string,
  ffmpeg: string,
  draw: { count: number; seed: number },
): Promise<boolean> {
  const manifest = path.join(sounds, 'manifest.csv');
  if (!existsSync(manifest)) return false;
  if (existsSync(path.join(dir, 'done'))) return true;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const items = (await readSoundManifest(manifest)).filter((i) => soundSplit(i.package) === 'test');
  process.stderr.write(
    `writing ${draw.count} voice notes of real recordings (${SOUND_SPLIT.test.join(', ')}) in ${dir}\n`,
  );
  const notes = await realSoundVoiceNotes(items, draw.count, 10, ffmpeg, draw.seed);
  for (const [i, note] of notes.entries()) {
    const name = `${note.kind}-${note.package}-${String(i).padStart(3, '0')}.ogg`;
    await writeFile(path.join(dir, name), note.ogg);
  }
  await writeFile(path.join(dir, 'done'), `${notes.length}\n`);
  return true;
}

/**
 * The value of a numeric option (`--name N`), or undefined when it is not given.
 *
 * @throws Error when its value is not a positive whole number
 */
function numberOption(args: readonly string[], name: string): number | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} takes a positive whole number (got ${args[at + 1] ?? 'nothing'})`);
  }
  return value;
}

/** The real kinds' and the generated kinds' rejection taken together. */
function pooled(byKind: Record<string, GateRate>, real: boolean): GateRate | null {
  const kinds = Object.entries(byKind).filter(
    ([k]) => (SOUND_KINDS as readonly string[]).includes(k) === real,
  );
  const n = kinds.reduce((s, [, v]) => s + v.n, 0);
  const rejected = kinds.reduce((s, [, v]) => s + v.rate * v.n, 0);
  return n > 0 ? { n, rate: Number((rejected / n).toFixed(3)) } : null;
}

async function main(): Promise<void> {
  const root = packageRoot();
  const args = process.argv.slice(2);
  const gateOnly = args.includes('--gate-only');
  const draw = {
    count: numberOption(args, '--real-clips') ?? REAL_SOUND_CLIPS,
    seed: numberOption(args, '--real-seed') ?? REAL_SOUND_SEED,
  };
  const defaultDraw = draw.count === REAL_SOUND_CLIPS && draw.seed === REAL_SOUND_SEED;
  const flags = [
    ...(gateOnly ? ['--gate-only'] : []),
    ...(defaultDraw ? [] : ['--real-clips', String(draw.count), '--real-seed', String(draw.seed)]),
  ];
  const positional = args.filter(
    (a, i) =>
      a !== '--gate-only' && !a.startsWith('--real-') && !(args[i - 1] ?? '').startsWith('--real-'),
  );
  const modelDir = path.resolve(positional[0] ?? path.join(root, 'models', 'synesthete-cnn'));
  const corpus = path.resolve(positional[1] ?? path.join(root, 'data', 'corpus'));
  const metadataPath = path.join(modelDir, 'metadata.json');
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as Record<string, unknown> & {
    training?: { testGroups?: string[] };
    evaluation?: Record<string, unknown>;
  };
  const groups = metadata.training?.testGroups ?? [...FIXTURE_PACKAGES];
  const items = (await readCorpusManifest(path.join(corpus, 'manifest.csv'))).filter((i) =>
    groups.includes(i.group),
  );
  if (items.length < 10) throw new Error(`only ${items.length} test tracks in ${corpus}`);
  const work = path.join(root, 'data', 'eval');
  await mkdir(work, { recursive: true });
  const labels = path.join(work, 'held-out-labels.csv');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  await writeFile(
    labels,
    `file,package\n${items.map((i) => `${quote(i.file)},${quote(i.group)}`).join('\n')}\n`,
  );
  const ffmpeg = (await resolveFfmpeg()).path;
  // Another draw of real recordings gets a folder of its own (the generated clips are the same).
  const nonMusic = path.join(
    work,
    defaultDraw ? 'non-music' : `non-music-real-${draw.count}-${draw.seed}`,
  );
  await writeNonMusic(nonMusic, ffmpeg);
  const real = await writeRealSounds(
    path.join(nonMusic, 'real'),
    path.join(root, 'data', 'sounds'),
    ffmpeg,
    draw,
  );

  const musicGateTest = (gate: GateReport | undefined) => {
    const byKind = gate?.nonMusicRejected.byKind ?? {};
    return {
      command: `npm run evaluate-held-out${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`,
      soundtracks: groups,
      musicAccepted: gate?.musicAccepted ?? null,
      musicClips:
        'a 10 s excerpt of each test track through the evaluation voice-note chain (band-limit 200 Hz–7 kHz, pink noise at 10 dB SNR, room reflections, 24 kbit/s Opus)',
      generatedRejected: pooled(byKind, false),
      realRejected: real ? pooled(byKind, true) : null,
      realPackages: real ? SOUND_SPLIT.test : [],
      rejectedByKind: byKind,
      acceptedNonMusic: gate?.nonMusicRejected.accepted ?? [],
    };
  };
  if (gateOnly) {
    // The gate alone: no catalogue, every clip through the query path's analysis.
    const model = await loadEmbeddingModel(modelDir);
    process.stderr.write(
      `measuring the music gate on ${items.length} test tracks and ${nonMusic}\n`,
    );
    const musicDir = path.join(work, 'gate-music');
    await writeMusicVoiceNotes(
      items.map((i) => i.file),
      musicDir,
      ffmpeg,
    );
    const gate = await measureGate(model, musicDir, nonMusic, (done, total) => {
      if (done % 50 === 0 || done === total) process.stderr.write(`${done}/${total} clips\n`);
    });
    model.dispose();
    const figures = { ...musicGateTest(gate), silence: gate.silence };
    const current = JSON.parse(await readFile(metadataPath, 'utf8')) as typeof metadata;
    current.evaluation = { ...(current.evaluation ?? {}), musicGateTest: figures };
    await writeFile(metadataPath, `${JSON.stringify(current, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }

  process.stderr.write(`ingesting ${items.length} test tracks of ${groups.length} packages\n`);
  const catalog = path.join(work, `catalog-${path.basename(modelDir)}`);
  await rm(catalog, { recursive: true, force: true });
  const common = ['--catalog', catalog, '--model', modelDir];
  cli(['ingest', ...items.map((i) => i.file), ...common], root);
  const report = JSON.parse(
    cli(
      [
        'evaluate',
        ...['--labels', labels, '--label-column', 'package', '--baseline', '--identify'],
        ...['--non-music', nonMusic, '--json', ...common],
      ],
      root,
    ),
  ) as {
    precisionAtK: Record<string, number>;
    baseline?: { mfcc: { precisionAtK: Record<string, number> } };
    musicGate?: { musicAccepted?: GateRate; nonMusicRejected?: GateReport['nonMusicRejected'] };
  };
  const p5 = report.precisionAtK['5'] ?? 0;
  const b5 = report.baseline?.mfcc.precisionAtK['5'] ?? 0;
  const test = {
    command: `npm run evaluate-held-out${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`,
    packages: groups,
    precisionAt5: p5,
    mfccBaselinePrecisionAt5: b5,
    ratioToBaseline: b5 > 0 ? Number((p5 / b5).toFixed(3)) : null,
    ...report,
  };
  // Read again right before writing: other keys may have changed while this ran.
  const current = JSON.parse(await readFile(metadataPath, 'utf8')) as typeof metadata;
  const gate = report.musicGate;
  current.evaluation = {
    ...(current.evaluation ?? {}),
    test,
    ...(gate?.musicAccepted && gate.nonMusicRejected
      ? {
          musicGateTest: musicGateTest({
            musicAccepted: gate.musicAccepted,
            nonMusicRejected: gate.nonMusicRejected,
            silence: 0,
          }),
        }
      : {}),
  };
  await writeFile(metadataPath, `${JSON.stringify(current, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(test, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
