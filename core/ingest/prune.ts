/**
 * `ingest --prune`: takes out of the catalogue the tracks whose files are gone. Only tracks
 * ingested from inside the given folders (or from the given files) are considered, so a library
 * on a disk that is not mounted right now is left alone unless it is named; URIs are never
 * pruned. A file that exists but cannot be read (permissions) is kept.
 *
 * @module
 */

import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';

/** What {@link pruneMissing} removed. */
export interface PruneSummary {
  /** Source paths of the tracks removed, in id order. */
  readonly removed: readonly string[];
}

/**
 * Deletes the catalogue tracks under `roots` whose source file no longer exists.
 *
 * @example
 * ```ts
 * const { removed } = await pruneMissing(catalog, ['/music']);
 * ```
 * @param catalog - the catalogue
 * @param roots - folders or files, as given to ingest (resolved against the working directory)
 * @returns the removed tracks' source paths
 * @throws SynestheteError `E_CATALOG` when the catalogue cannot be read or written
 */
export async function pruneMissing(
  catalog: Pick<Catalog, 'listSources' | 'deleteTrack'>,
  roots: readonly string[],
): Promise<PruneSummary> {
  const bases = roots.map((r) => path.resolve(r));
  const inside = (file: string) =>
    bases.some(
      (base) => file === base || file.startsWith(base.endsWith(path.sep) ? base : base + path.sep),
    );
  const removed: string[] = [];
  for (const { id, sourcePath } of await catalog.listSources()) {
    if (!path.isAbsolute(sourcePath) || !inside(sourcePath)) continue;
    if (await exists(sourcePath)) continue;
    if (await catalog.deleteTrack(id)) removed.push(sourcePath);
  }
  return { removed };
}

/** False only when the file is known to be gone (ENOENT, ENOTDIR). */
async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
