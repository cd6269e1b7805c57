/**
 * Why this process cannot use an embedded (PGlite) catalogue folder, told in words: PGlite itself
 * only aborts ("Aborted()", "PGlite failed to initialize properly") when it cannot write its files.
 *
 * @module
 */
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Entries looked at, at most: a catalogue folder holds about a thousand. */
const MAX_ENTRIES = 20_000;

/**
 * Finds the first file or folder of a catalogue folder this process cannot write (or read).
 *
 * @param dataDir - absolute path of the catalogue folder
 * @returns one line saying what is wrong and what to do, or null when every entry looked at is
 *   readable and writable (or the folder does not exist); never throws
 */
export async function catalogDirProblem(dataDir: string): Promise<string | null> {
  let seen = 0;
  const blocked = async (entry: string): Promise<string | null> => {
    try {
      await access(entry, constants.R_OK | constants.W_OK);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      return code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user';
    }
  };
  const visit = async (dir: string): Promise<string | null> => {
    const why = await blocked(dir);
    if (why) return `${dir} ${why}`;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      return `${dir} cannot be listed (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return null;
      const full = path.join(dir, entry.name);
      const found = entry.isDirectory()
        ? await visit(full)
        : await blocked(full).then((w) => (w ? `${full} ${w}` : null));
      if (found) return found;
    }
    return null;
  };
  const found = await visit(dataDir);
  return found === null
    ? null
    : `${found}; run as the catalogue's owner, make it writable (chmod -R u+w), or copy the catalogue to a writable folder and pass --catalog`;
}
