/**
 * The training corpus: which audio files train the model and which are held out.
 *
 * Two sources: the manifest written by `scripts/fetch-corpus.sh` (Debian's freely licensed game
 * soundtracks, one package per soundtrack), or any folder of the user's own music, where each
 * top-level sub-folder (album, artist, …) plays the role of a package.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** One training file. */
export interface CorpusItem {
  /** Absolute path. */
  readonly file: string;
  /** Group the file belongs to (Debian package, or top-level folder of a user's library). */
  readonly group: string;
}

/** Audio file extensions the trainer picks up when scanning a folder. */
export const AUDIO_EXTENSIONS = new Set([
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
  '.flac',
  '.wav',
  '.m4a',
  '.aac',
  '.webm',
  '.aiff',
  '.aif',
]);

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

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/**
 * Reads `manifest.csv` of a fetched corpus (columns file, package, …; paths relative to it).
 *
 * @param manifestPath - path of manifest.csv
 * @param exclude - packages to leave out
 */
export async function readCorpusManifest(
  manifestPath: string,
  exclude: readonly string[] = [],
): Promise<CorpusItem[]> {
  const root = path.dirname(path.resolve(manifestPath));
  const lines = (await readFile(manifestPath, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const header = parseCsvLine(lines[0] ?? '');
  const fileCol = header.indexOf('file');
  const groupCol = header.indexOf('package');
  if (fileCol < 0 || groupCol < 0)
    throw new Error(`${manifestPath}: needs columns file and package`);
  return lines
    .slice(1)
    .map(parseCsvLine)
    .map((cells) => ({
      file: path.resolve(root, cells[fileCol] ?? ''),
      group: cells[groupCol] ?? '',
    }))
    .filter((item) => !exclude.includes(item.group));
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile() && AUDIO_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
      out.push(full);
  }
}

/**
 * Scans a folder of the user's own music. Files in the folder itself form the group "library";
 * files below a top-level sub-folder form a group named after it.
 *
 * @throws Error when the folder does not exist
 */
export async function scanCorpusFolder(dir: string): Promise<CorpusItem[]> {
  const root = path.resolve(dir);
  if (!(await stat(root)).isDirectory()) throw new Error(`${dir} is not a folder`);
  const files: string[] = [];
  await walk(root, files);
  files.sort();
  return files.map((file) => {
    const rel = path.relative(root, file).split(path.sep);
    return { file, group: rel.length > 1 ? (rel[0] ?? 'library') : 'library' };
  });
}
