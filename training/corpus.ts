/**
 * The training corpus: which audio files train the model and which are held out.
 *
 * Two sources: the manifest written by `scripts/fetch-corpus.sh` (Debian's freely licensed game
 * soundtracks, one package per soundtrack), or any folder of the user's own music, where each
 * top-level sub-folder (album, artist, …) plays the role of a package.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { collectAudioFiles } from '../core/ingest/ingest.js';
import { SynestheteError } from '../core/util/errors.js';

/** One training file. */
export interface CorpusItem {
  /** Absolute path. */
  readonly file: string;
  /** Group the file belongs to (Debian package, or top-level folder of a user's library). */
  readonly group: string;
}

/** Packages whose tracks are the test fixtures (../shared/fixtures/music-clips): never trained on. */
export const FIXTURE_PACKAGES = [
  'wesnoth-1.16-music',
  'supertux-data',
  'nexuiz-music',
  'singularity-music',
  'fretsonfire-songs-muldjord',
  'fretsonfire-songs-sectoid',
  'flare-game',
] as const;

/**
 * Reads `manifest.csv` of a fetched corpus (columns file, package, …; paths relative to it).
 *
 * @param manifestPath - path of manifest.csv
 * @param exclude - packages to leave out
 * @throws SynestheteError `E_NOT_FOUND` when the file is missing, `E_CONFIG` when a column is missing
 */
export async function readCorpusManifest(
  manifestPath: string,
  exclude: readonly string[] = [],
): Promise<CorpusItem[]> {
  const root = path.dirname(path.resolve(manifestPath));
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new SynestheteError('E_NOT_FOUND', `cannot read corpus manifest ${manifestPath}`, {
      cause: error,
    });
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >;
  if (rows.length > 0 && (rows[0]?.file === undefined || rows[0]?.package === undefined)) {
    throw new SynestheteError('E_CONFIG', `${manifestPath}: needs columns file and package`);
  }
  return rows
    .map((row) => ({ file: path.resolve(root, row.file ?? ''), group: row.package ?? '' }))
    .filter((item) => !exclude.includes(item.group));
}

/**
 * Scans a folder of the user's own music (the same files `synesthete ingest` would take). Files in
 * the folder itself form the group "library"; files below a top-level sub-folder form a group
 * named after it.
 *
 * @throws SynestheteError `E_NOT_FOUND` when the folder does not exist
 */
export async function scanCorpusFolder(dir: string): Promise<CorpusItem[]> {
  const root = path.resolve(dir);
  const { files } = await collectAudioFiles([root]);
  return files.map((file) => {
    const rel = path.relative(root, file).split(path.sep);
    return { file, group: rel.length > 1 ? (rel[0] ?? 'library') : 'library' };
  });
}
