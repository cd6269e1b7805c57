/**
 * `npm run evaluate-held-out [-- MODEL_DIR [CORPUS_DIR]]`: the figures of record of a trained
 * model, measured through the product itself on soundtracks the model never saw.
 *
 * 1. The test packages of the model's metadata.json (training.testGroups) are read from the corpus
 *    manifest (scripts/fetch-corpus.sh) and a labels CSV (file, package) is written.
 * 2. Non-music test clips are generated once (espeak-ng voices and sentences that fitting never
 *    used, sox noise, a quiet room) and written as Ogg Opus voice notes.
 * 3. `synesthete ingest` puts the test tracks into a fresh PGlite catalogue, and
 *    `synesthete evaluate --baseline --identify --non-music … --json` measures precision@5 against
 *    the MFCC baseline, identification of 10 s voice-note excerpts, the music gate and the
 *    confidence reliability.
 * 4. The report is printed and stored in metadata.json under evaluation.test (this does not change
 *    the model version: only weights, standardisation and fusion do).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import { packageRoot } from '../core/paths.js';
import { FIXTURE_PACKAGES, readCorpusManifest } from './corpus.js';
import { nonMusicClips } from './non-music.js';

const NON_MUSIC_CLIPS = 60;
const NON_MUSIC_SEED = 20_261_121;

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

async function main(): Promise<void> {
  const root = packageRoot();
  const modelDir = path.resolve(process.argv[2] ?? path.join(root, 'models', 'synesthete-cnn'));
  const corpus = path.resolve(process.argv[3] ?? path.join(root, 'data', 'corpus'));
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
  const catalog = path.join(work, `catalog-${path.basename(modelDir)}`);
  await rm(catalog, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const labels = path.join(work, 'held-out-labels.csv');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  await writeFile(
    labels,
    `file,package\n${items.map((i) => `${quote(i.file)},${quote(i.group)}`).join('\n')}\n`,
  );
  const ffmpeg = (await resolveFfmpeg()).path;
  const nonMusic = path.join(work, 'non-music');
  await writeNonMusic(nonMusic, ffmpeg);

  process.stderr.write(`ingesting ${items.length} test tracks of ${groups.length} packages\n`);
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
  };
  const p5 = report.precisionAtK['5'] ?? 0;
  const b5 = report.baseline?.mfcc.precisionAtK['5'] ?? 0;
  const test = {
    command: 'npm run evaluate-held-out',
    packages: groups,
    precisionAt5: p5,
    mfccBaselinePrecisionAt5: b5,
    ratioToBaseline: b5 > 0 ? Number((p5 / b5).toFixed(3)) : null,
    ...report,
  };
  metadata.evaluation = { ...(metadata.evaluation ?? {}), test };
  await writeFile(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(test, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
