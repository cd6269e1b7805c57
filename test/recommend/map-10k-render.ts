/**
 * Draws the catalogue map at 10,000 tracks, past the size of any catalogue ingested here: vectors
 * around a real catalogue's (bench/synthetic-vectors.ts, as the scale bench makes them), each
 * synthetic track carrying the genre tag of the real track it was made from, laid out and drawn
 * by the code `synesthete map` uses (core/recommend/map-layout.ts, map-svg.ts).
 *
 *   npx tsx cli/main.ts ingest data/demo/tracks --catalog /tmp/demo-catalog
 *   npx tsx test/recommend/map-10k-render.ts /tmp/demo-catalog docs/catalogue-map-10k.png [10000] [layout.json]
 *
 * (The optional layout file keeps the ~100 s UMAP between runs that change only the drawing.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { measureSeeds } from '../../bench/synthetic-vectors.js';
import { openEngine } from '../../core/engine.js';
import { layOut } from '../../core/recommend/map-layout.js';
import { mapPng, mapSvg } from '../../core/recommend/map-svg.js';
import { createRng, gaussian } from '../../core/util/random.js';

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] as number) * (b[d] as number);
  return s;
};

/**
 * Synthetic tracks between the real ones: bench/synthetic-vectors.ts puts each one near a single
 * real track, which at 10,000 draws 36 tight blobs; a catalogue that size is a continuum, so
 * here each is a random point on the segment from a real track to one of its three nearest,
 * plus the same noise (its spread from the real tracks' per-dimension spread and
 * nearest-neighbour similarity). Each takes the tag of the nearer end.
 */
function blend(seeds: readonly Float32Array[], count: number, seed: number) {
  const shape = measureSeeds(seeds);
  const random = createRng(seed);
  let total = 0;
  for (const s of shape.std) total += s * s;
  const target = Math.min(0.999, Math.max(0.2, shape.medianNeighbourSimilarity));
  const sigma = Math.sqrt((1 / (target * target) - 1) / Math.max(total, 1e-12));
  const near = seeds.map((a, i) =>
    seeds
      .map((b, j) => ({ j, c: i === j ? -2 : dot(a, b) }))
      .sort((x, y) => y.c - x.c)
      .slice(0, 3)
      .map((x) => x.j),
  );
  const vectors: Float32Array[] = [];
  const genres: number[] = [];
  for (let n = 0; n < count; n++) {
    const i = Math.floor(random() * seeds.length);
    const j = near[i]?.[Math.floor(random() * 3)] ?? i;
    const t = random() * 0.5;
    const [a, b] = [seeds[i] as Float32Array, seeds[j] as Float32Array];
    const v = new Float32Array(a.length);
    for (let d = 0; d < v.length; d++) {
      v[d] =
        (1 - t) * (a[d] as number) +
        t * (b[d] as number) +
        sigma * (shape.std[d] as number) * gaussian(random);
    }
    const norm = Math.sqrt(dot(v, v)) || 1;
    for (let d = 0; d < v.length; d++) v[d] = (v[d] as number) / norm;
    vectors.push(v);
    genres.push(i);
  }
  return { vectors, genres };
}

const [catalog, out = 'map-10k.png', n = '10000', layoutFile] = process.argv.slice(2);
if (!catalog) throw new Error('usage: map-10k-render.ts <catalogue> [out.png] [tracks]');
const tracks = Number(n);
const engine = await openEngine({ catalog });
try {
  const rows = await engine.catalog.embeddings(engine.model.metadata.version);
  const infos = await engine.catalog.getTrackInfos(rows.map((r) => r.id));
  const genreOf = new Map(infos.map((t) => [t.id, t.genre]));
  const seeds = rows.map((r) => r.embedding);
  const { vectors, genres } = blend(seeds, tracks, 7);
  const genre = (i: number) => genreOf.get(rows[i]?.id ?? -1) ?? null;
  const started = performance.now();
  const saved = layoutFile
    ? await readFile(layoutFile, 'utf8').then(
        (t) => JSON.parse(t) as [number, number][],
        () => undefined,
      )
    : undefined;
  const xy = saved?.length === tracks ? saved : layOut(vectors);
  if (layoutFile && xy !== saved) await writeFile(layoutFile, JSON.stringify(xy));
  const layoutS = (performance.now() - started) / 1000;
  const points = xy.map(([x, y], i) => ({ id: i + 1, x, y, genre: genre(genres[i] ?? -1) }));
  // A query marked as the chats mark one: the first synthetic track and its five nearest.
  const q = vectors[0] as Float32Array;
  const nearest = vectors
    .map((v, i) => ({ i, c: i === 0 ? -2 : dot(q, v) }))
    .sort((a, b) => b.c - a.c)
    .slice(0, 5);
  const svg = mapSvg(points, {
    title: `${tracks.toLocaleString('en-US')} synthetic tracks · UMAP of the track vectors · coloured by genre tag`,
    query: {
      label: `synthetic track 1 (${genre(genres[0] ?? -1) ?? 'untagged'}) and its five nearest`,
      x: points[0]?.x ?? 0,
      y: points[0]?.y ?? 0,
      results: nearest.map(({ i, c }) => ({
        id: i + 1,
        label: `synthetic track ${i + 1} (${genre(genres[i] ?? -1) ?? 'untagged'}), cosine ${c.toFixed(3)}`,
      })),
    },
  });
  const drawStarted = performance.now();
  const png = await mapPng(svg);
  const drawS = (performance.now() - drawStarted) / 1000;
  await writeFile(out, png);
  process.stdout.write(
    `${out}: ${tracks} tracks, layout ${layoutS.toFixed(0)} s, PNG ${Math.round(png.byteLength / 1024)} KB drawn in ${drawS.toFixed(2)} s\n`,
  );
} finally {
  await engine.close();
}
