/**
 * `node dist/training/gate-music-kept.js MUSIC NOTES_DIR MODEL_DIR…`: the share of real music the
 * music gate keeps, for music outside the corpus. MUSIC is a folder of audio files or a CSV whose
 * `file` column lists them (e.g. a labels.csv of a research data set). A 10 s voice note of each
 * file (an excerpt from a random position through the evaluation voice-note chain, as
 * `npm run evaluate-held-out -- --gate-only` makes them of the test tracks and
 * `synesthete evaluate --clips` of catalogue tracks) is written once into NOTES_DIR; then every
 * MODEL_DIR's gate judges each note through the query path's analysis (training/gate-report.ts),
 * so several gates are compared on the very same clips. Without a catalogue nothing is
 * identified, so no fingerprint match overrides a rejection: what is kept is a lower bound of
 * what the product keeps. NOTES_DIR holds the notes only (keep it out of git: data/ is ignored).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { collectAudioFiles } from '../core/ingest/ingest.js';
import { loadEmbeddingModel } from '../core/model/embedder.js';
import { measureGate, writeMusicVoiceNotes } from './gate-report.js';

/** Music files of a folder or of a CSV's `file` column (relative paths: from the CSV's folder). */
async function musicFiles(source: string): Promise<string[]> {
  if (!source.endsWith('.csv')) return (await collectAudioFiles([source])).files;
  const rows = parse(await readFile(source, 'utf8'), { columns: true }) as Array<{
    file?: string;
  }>;
  return rows
    .map((r) => r.file ?? '')
    .filter(Boolean)
    .map((f) => path.resolve(path.dirname(source), f));
}

async function main(): Promise<void> {
  const [source, notes, ...models] = process.argv.slice(2);
  if (!source || !notes || models.length === 0) {
    throw new Error('usage: gate-music-kept MUSIC(.csv|folder) NOTES_DIR MODEL_DIR…');
  }
  const files = await musicFiles(source);
  const ffmpeg = (await resolveFfmpeg()).path;
  process.stderr.write(`voice notes of ${files.length} music files into ${notes}\n`);
  await writeMusicVoiceNotes(files, path.resolve(notes), ffmpeg);
  const empty = path.join(path.resolve(notes), '..', `${path.basename(notes)}-none`);
  await mkdir(empty, { recursive: true });
  for (const dir of models) {
    const model = await loadEmbeddingModel(path.resolve(dir));
    const report = await measureGate(model, path.resolve(notes), empty);
    model.dispose();
    const kept = report.musicAccepted;
    process.stdout.write(
      `${dir}: music kept ${(100 * kept.rate).toFixed(1)} % of ${kept.n} (${Math.round(kept.rate * kept.n)})\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
