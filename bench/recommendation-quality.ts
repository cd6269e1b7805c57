/**
 * Figures of the result lists beyond precision, on an ingested catalogue whose genre tags are the
 * labels (the demo catalogue; 4Q clips with their genre written into their tags), or, with
 * `--label folder`, the name of the folder holding each file (the corpus: its Debian package):
 *
 * - variety: every track's `similar` answer with the variety rules off and on — share of answers
 *   holding two versions of one song, share with more than two results by one artist, hubness
 *   (share of all top-5 slots taken by the most-recommended 1 % of tracks, k-occurrence
 *   skewness), and precision@5 of same-genre results;
 * - the same-audio threshold: cosine of known version pairs (files named `<original>-<kind>.<ext>`
 *   in a folder called `tmp-versions`) beside each track's nearest distinct track;
 * - tags: leave-one-out top-1 genre accuracy of the neighbours' vote beside the majority class
 *   (genre labels only);
 * - seed sets: three same-genre seeds against each seed alone (precision@5, macro over genres),
 *   for the centroid, reciprocal-rank fusion and the best single-seed similarity.
 *
 * Usage: `npx tsx bench/recommendation-quality.ts <catalog> [--label genre|folder]`. Prints JSON;
 * asserts nothing.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openEngine } from '../core/engine.js';
import { hubness, shareOverArtistCap, shareWithVersions } from '../core/evaluation/list-metrics.js';
import { genreKey } from '../core/recommend/filters.js';
import { reciprocalRankFusion, seedCentroid } from '../core/recommend/seeds.js';
import { voteTags } from '../core/recommend/tags.js';
import { cosine, DEFAULT_VARIETY } from '../core/recommend/variety.js';
import { createRng } from '../core/util/random.js';
import { exitMissingData, runBench } from './bench-catalog.js';

const K = 5;
const OFF = { allowVersions: true, maxPerArtist: Infinity, maxPerAlbum: Infinity };

async function main(): Promise<void> {
  const catalogArg = process.argv[2];
  const ingestFirst = `npx synesthete ingest data/demo/tracks --catalog ${catalogArg ?? '/tmp/demo'}`;
  if (!catalogArg || catalogArg.startsWith('-')) {
    exitMissingData(
      'usage: npx tsx bench/recommendation-quality.ts <catalog> [--label genre|folder]',
      'no catalogue given',
      'npx synesthete ingest data/demo/tracks --catalog /tmp/demo, then pass /tmp/demo',
    );
  }
  const labelAt = process.argv.indexOf('--label');
  const labelBy = labelAt > 0 ? process.argv[labelAt + 1] : 'genre';
  if (labelBy !== 'genre' && labelBy !== 'folder') {
    throw new Error(`--label takes genre or folder, not ${labelBy ?? 'nothing'}`);
  }
  if (!/^postgres(ql)?:\/\//i.test(catalogArg) && !existsSync(catalogArg)) {
    exitMissingData('recommendation-quality', `no catalogue at ${catalogArg}`, ingestFirst);
  }
  const engine = await openEngine({ catalog: catalogArg });
  try {
    const version = engine.model.metadata.version;
    const rows = await engine.catalog.embeddings(version);
    if (rows.length === 0) {
      await engine.close();
      exitMissingData(
        'recommendation-quality',
        `the catalogue ${catalogArg} holds no tracks`,
        ingestFirst,
      );
    }
    const ids = rows.map((r) => r.id);
    const infos = await engine.catalog.getTrackInfos(ids);
    const info = new Map(infos.map((t) => [t.id, t]));
    const vec = new Map(rows.map((r) => [r.id, r.embedding]));
    const folderOf = (id: number) => {
      const p = info.get(id)?.sourcePath;
      return p ? path.basename(path.dirname(p)) : '';
    };
    const label = labelBy === 'folder' ? folderOf : (id: number) => genreKey(info.get(id)?.genre);
    const out: Record<string, unknown> = {
      catalog: catalogArg,
      labels: labelBy,
      tracks: ids.length,
    };

    // Known versions: <stem>-<kind>.<ext> in tmp-versions is a version of <stem>.<ext> elsewhere.
    const stemOf = (id: number) => {
      const p = info.get(id)?.sourcePath ?? '';
      const base = path.basename(p, path.extname(p));
      return p.includes('tmp-versions') ? base.replace(/-(remastered|eq-copy)$/, '') : base;
    };
    const group = new Map(ids.map((id) => [id, stemOf(id)]));
    const sameGroup = (a: number, b: number) => group.get(a) === group.get(b);
    const cos = (a: number, b: number) =>
      cosine(vec.get(a) as Float32Array, vec.get(b) as Float32Array);
    const versionPairs: number[] = [];
    const nearestDistinct: number[] = [];
    for (const a of ids) {
      let best = -1;
      for (const b of ids) {
        if (a === b) continue;
        if (sameGroup(a, b)) {
          if (a < b) versionPairs.push(cos(a, b));
        } else best = Math.max(best, cos(a, b));
      }
      nearestDistinct.push(best);
    }
    nearestDistinct.sort((x, y) => x - y);
    const q = (p: number) =>
      nearestDistinct[Math.min(nearestDistinct.length - 1, Math.floor(p * nearestDistinct.length))];
    out.sameAudio = {
      versionPairs: versionPairs.length,
      versionCosineMin: versionPairs.length ? Math.min(...versionPairs) : null,
      versionCosineMedian: versionPairs.length
        ? versionPairs.sort((x, y) => x - y)[Math.floor(versionPairs.length / 2)]
        : null,
      nearestDistinctMax: nearestDistinct.at(-1),
      nearestDistinctP99: q(0.99),
      nearestDistinctMedian: q(0.5),
      threshold: DEFAULT_VARIETY.sameAudioCosine,
      distinctAboveThreshold: nearestDistinct.filter((c) => c > DEFAULT_VARIETY.sameAudioCosine)
        .length,
    };

    // Variety off and on, over every track's `similar` answer.
    const sameSong = (a: number, b: number) =>
      sameGroup(a, b) || cos(a, b) > DEFAULT_VARIETY.sameAudioCosine;
    for (const [name, variety] of [
      ['off', OFF],
      ['on', {}],
    ] as const) {
      const lists: { trackId: number; title: string | null; artist: string | null }[][] = [];
      let correct = 0;
      let labelled = 0;
      const t0 = performance.now();
      for (const id of ids) {
        const r = await engine.similar(id, { k: K, tags: false, variety });
        lists.push(
          r.recommendations.map((x) => ({ trackId: x.trackId, title: x.title, artist: x.artist })),
        );
        if (label(id)) {
          labelled += K;
          correct += r.recommendations.filter((x) => label(x.trackId) === label(id)).length;
        }
      }
      const ms = (performance.now() - t0) / ids.length;
      out[`variety_${name}`] = {
        withVersions: shareWithVersions(lists, sameSong),
        overTwoPerArtist: shareOverArtistCap(lists, 2),
        ...hubness(
          lists.map((l) => l.map((x) => x.trackId)),
          ids,
        ),
        precisionAt5: labelled ? correct / labelled : null,
        msPerAnswer: ms,
      };
    }

    // Tags: leave-one-out vote of the nearest neighbours' tags, scored against genre labels only.
    const labelledIds = ids.filter((id) => label(id));
    const counts = new Map<string, number>();
    for (const id of labelledIds) counts.set(label(id), (counts.get(label(id)) ?? 0) + 1);
    const majority = Math.max(0, ...counts.values()) / Math.max(1, labelledIds.length);
    if (labelBy === 'genre') {
      const sims = new Map(
        ids.map((a) => [
          a,
          ids
            .filter((b) => b !== a)
            .map((b) => ({ id: b, s: cos(a, b) }))
            .sort((x, y) => y.s - x.s),
        ]),
      );
      const tagRuns: Record<string, unknown> = {};
      for (const n of [1, 5, 10, 20]) {
        for (const weighting of ['similarity', 'equal'] as const) {
          let hit = 0;
          let confident = 0;
          let confidentHit = 0;
          for (const id of labelledIds) {
            const nb = (sims.get(id) ?? []).slice(0, n).map((x) => ({
              genre: info.get(x.id)?.genre ?? null,
              similarity: weighting === 'equal' ? 1 : x.s,
            }));
            const v = voteTags(nb);
            const ok = genreKey(v.genres[0]?.tag) === label(id);
            if (ok) hit++;
            if (v.confidence >= 0.5) {
              confident++;
              if (ok) confidentHit++;
            }
          }
          tagRuns[`n${n}_${weighting}`] = {
            accuracy: hit / labelledIds.length,
            coverageAtConfidence05: confident / labelledIds.length,
            accuracyAtConfidence05: confident ? confidentHit / confident : null,
          };
        }
      }
      let productHit = 0;
      for (const id of labelledIds) {
        const r = await engine.similar(id, { k: K });
        if (genreKey(r.tags?.genres[0]?.tag) === label(id)) productHit++;
      }
      out.tags = {
        n: labelledIds.length,
        majorityClass: majority,
        productAccuracy: productHit / labelledIds.length,
        runs: tagRuns,
      };
    }

    // Seed sets: three same-genre seeds, results exclude all three.
    const rng = createRng(7);
    const genres = [...counts.keys()].filter((g) => (counts.get(g) ?? 0) >= 6);
    const TRIPLES = 20;
    const sum = { single: 0, centroid: 0, rrf: 0, maxSim: 0, product: 0 };
    const perGenre: Record<string, Record<string, number>> = {};
    const p5 = (list: readonly number[], g: string) =>
      list.slice(0, K).filter((id) => label(id) === g).length / K;
    for (const g of genres) {
      const members = labelledIds.filter((id) => label(id) === g);
      const acc = { single: 0, centroid: 0, rrf: 0, maxSim: 0, product: 0 };
      for (let t = 0; t < TRIPLES; t++) {
        const pick = new Set<number>();
        while (pick.size < 3) pick.add(members[Math.floor(rng() * members.length)] as number);
        const seeds = [...pick];
        const others = ids.filter((id) => !pick.has(id));
        const rankBy = (score: (id: number) => number) =>
          [...others].sort((a, b) => score(b) - score(a));
        const perSeed = seeds.map((s) => rankBy((id) => cos(s, id)));
        acc.single += perSeed.reduce((s, l) => s + p5(l, g), 0) / seeds.length;
        const c = seedCentroid(seeds.map((s) => vec.get(s) as Float32Array));
        acc.centroid += p5(
          rankBy((id) => cosine(c, vec.get(id) as Float32Array)),
          g,
        );
        acc.rrf += p5(
          reciprocalRankFusion(perSeed.map((l) => l.slice(0, 100))).map((x) => x.id),
          g,
        );
        acc.maxSim += p5(
          rankBy((id) => Math.max(...seeds.map((s) => cos(s, id)))),
          g,
        );
        const set = await engine.recommendSet(
          seeds.map((s) => ({ track: s })),
          { k: K, tags: false },
        );
        acc.product += p5(
          set.recommendations.map((r) => r.trackId),
          g,
        );
      }
      perGenre[g] = Object.fromEntries(Object.entries(acc).map(([k2, v]) => [k2, v / TRIPLES]));
      for (const key of Object.keys(sum) as (keyof typeof sum)[])
        sum[key] += acc[key] / TRIPLES / genres.length;
    }
    out.seeds = {
      genres: genres.length,
      triplesPerGenre: TRIPLES,
      macroPrecisionAt5: sum,
      perGenre,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await engine.close();
  }
}

await runBench('recommendation-quality', main);
