/**
 * A 2-D map of the catalogue: UMAP (L. McInnes, J. Healy & J. Melville, "UMAP: Uniform Manifold
 * Approximation and Projection for Dimension Reduction", 2018; the `umap-js` implementation) of
 * the unit-normalised track vectors, so that Euclidean distance follows cosine similarity. Computed
 * once per catalogue version and model and kept as a JSON file beside the index files.
 *
 * @module
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UMAP } from 'umap-js';
import { createRng } from '../util/random.js';
import { threadScript } from '../util/thread-script.js';

/** A laid-out catalogue: track ids and their 2-D positions (same order). */
export interface MapLayout {
  /** Catalogue version and model version the layout was computed for. */
  readonly catalogVersion: number;
  readonly modelVersion: string;
  readonly ids: readonly number[];
  /** Positions in UMAP's units (arbitrary scale), one [x, y] per id. */
  readonly xy: readonly (readonly [number, number])[];
}

/**
 * Lays the vectors out in 2-D with UMAP (15 neighbours, minimum distance 0.1, seeded).
 *
 * @param vectors - one per track, all of one length; at least 3
 * @param seed - random seed (default 1), so that a catalogue always gives the same picture
 * @returns one [x, y] per vector
 * @throws RangeError for fewer than 3 vectors
 */
export function layOut(vectors: readonly Float32Array[], seed = 1): [number, number][] {
  if (vectors.length < 3) throw new RangeError('a map needs at least 3 tracks');
  const data = vectors.map((v) => {
    let n = 0;
    for (const x of v) n += x * x;
    const s = 1 / (Math.sqrt(n) || 1);
    return Array.from(v, (x) => x * s);
  });
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, vectors.length - 1),
    minDist: 0.1,
    random: createRng(seed),
  });
  return umap.fit(data).map((p) => [p[0] ?? 0, p[1] ?? 0]);
}

/**
 * {@link layOut} on a worker thread of its own (`map-layout-thread.ts`), so that a chat process
 * keeps answering while a large catalogue is laid out (UMAP takes minutes at 10,000 tracks).
 *
 * @param vectors - one per track, all of one length; at least 3
 * @param seed - random seed (default 1)
 * @returns one [x, y] per vector, the same as {@link layOut} gives
 * @throws RangeError for fewer than 3 vectors; Error when the thread fails
 */
export function layOutOffThread(
  vectors: readonly Float32Array[],
  seed = 1,
): Promise<[number, number][]> {
  if (vectors.length < 3) return Promise.reject(new RangeError('a map needs at least 3 tracks'));
  const { file, execArgv } = threadScript('./map-layout-thread', import.meta.url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { execArgv, workerData: { vectors, seed } });
    worker.once('message', (xy: [number, number][]) => resolve(xy));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the map layout thread exited with code ${code}`));
    });
  });
}

/**
 * Where a query lands on the map: at its own track's place when it is (or was identified as) a
 * catalogue track, else at the similarity-weighted mean of its results' places (UMAP gives no
 * place to a point it was not fitted on without refitting).
 *
 * @param at - track id → its [x, y]
 * @param query - the query's own track id, if any, and its results with their similarity
 * @returns [x, y], or undefined when neither its own track nor any result is on the map
 */
export function placeQuery(
  at: ReadonlyMap<number, readonly [number, number]>,
  query: {
    readonly ownTrackId?: number | undefined;
    readonly results: readonly { readonly id: number; readonly similarity: number }[];
  },
): [number, number] | undefined {
  const own = query.ownTrackId !== undefined ? at.get(query.ownTrackId) : undefined;
  if (own) return [own[0], own[1]];
  let [sx, sy, sw] = [0, 0, 0];
  for (const r of query.results) {
    const p = at.get(r.id);
    if (!p) continue;
    const w = Math.max(0.01, r.similarity);
    sx += p[0] * w;
    sy += p[1] * w;
    sw += w;
  }
  return sw > 0 ? [sx / sw, sy / sw] : undefined;
}

/** The cache file of a catalogue version and model in `dir`. */
export function layoutFile(dir: string, catalogVersion: number, modelVersion: string): string {
  return path.join(dir, `map-${catalogVersion}-${modelVersion.replace(/[^\w.-]+/g, '_')}.json`);
}

/**
 * The cached layout of this catalogue version and model, or a fresh one (then written whole and
 * renamed into place, so concurrent readers never see half a file).
 *
 * @param dir - the folder of the index files
 * @param catalogVersion - `Catalog.version()`
 * @param modelVersion - the model's version
 * @param load - the catalogue's track ids and vectors, read only when no cached layout fits
 * @returns the layout (computed on its own thread when not cached) and whether it came from the
 *   cache
 */
export async function cachedLayout(
  dir: string,
  catalogVersion: number,
  modelVersion: string,
  load: () => Promise<{ ids: number[]; vectors: Float32Array[] }>,
): Promise<{ layout: MapLayout; cached: boolean }> {
  const file = layoutFile(dir, catalogVersion, modelVersion);
  try {
    const layout = JSON.parse(await readFile(file, 'utf8')) as MapLayout;
    if (layout.ids.length === layout.xy.length) return { layout, cached: true };
  } catch {
    // no cached layout: compute it
  }
  const { ids, vectors } = await load();
  const xy = await layOutOffThread(vectors);
  const layout: MapLayout = { catalogVersion, modelVersion, ids, xy };
  const tmp = `${file}.${process.pid}.tmp`;
  // The index folder appears with the first saved index; a map may come first.
  await mkdir(dir, { recursive: true });
  await writeFile(tmp, JSON.stringify(layout));
  await rename(tmp, file);
  return { layout, cached: false };
}
