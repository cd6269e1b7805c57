/**
 * `synesthete map`: the catalogue drawn in 2-D, coloured by genre tag or by folder, a query and its
 * five marked.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { cachedLayout, placeQuery } from '../../core/recommend/map-layout.js';
import {
  autoColouring,
  colourGroup,
  MAP_LEGENDS,
  type MapColouring,
  type MapQuery,
  mapPng,
  mapSvg,
} from '../../core/recommend/map-svg.js';
import { trackName } from '../../core/recommend/names.js';
import {
  type CommonOptions,
  engineFrom,
  printable,
  reportError,
  withCommonOptions,
} from '../common.js';

interface MapOptions extends CommonOptions {
  out: string;
  query?: string;
  track?: string;
  colourBy: 'auto' | MapColouring;
}

/** Registers the command. */
export function registerMap(program: Command): void {
  withCommonOptions(
    program
      .command('map')
      .description(
        'draw the catalogue in 2-D (UMAP of the track vectors), coloured by genre tag or folder, as SVG or PNG',
      )
      .addOption(
        new Option(
          '--colour-by <what>',
          'colour the dots by genre tag or by the folder holding each file; auto: genre when at least half the tracks have one',
        )
          .choices(['auto', 'genre', 'folder'])
          .default('auto'),
      )
      .option('--out <file>', 'where to write the picture: .svg or .png', 'map.svg')
      .option('--query <clip>', 'mark a clip and its five recommendations')
      .option('--track <id|path>', 'mark a catalogue track and its five neighbours'),
  )
    .addHelpText(
      'after',
      '\nThe layout is computed once per catalogue version and kept beside the index files. A query\n' +
        'that is not a catalogue track is placed at the similarity-weighted mean of its five results.\n\n' +
        'Examples:\n  synesthete map --out map.png\n  synesthete map --query data/demo/queries/voice-note.ogg --out map.png',
    )
    .action(async (options: MapOptions) => {
      try {
        const engine = await engineFrom(options, true);
        try {
          const version = engine.model.metadata.version;
          const { layout, cached } = await cachedLayout(
            engine.indexDir,
            await engine.catalog.version(),
            version,
            async () => {
              const rows = await engine.catalog.embeddings(version);
              return { ids: rows.map((r) => r.id), vectors: rows.map((r) => r.embedding) };
            },
          );
          const infos = await engine.catalog.getTrackInfos(layout.ids);
          const colourBy = options.colourBy === 'auto' ? autoColouring(infos) : options.colourBy;
          const groupOf = new Map(infos.map((t) => [t.id, colourGroup(t, colourBy)]));
          const points = layout.ids.map((id, i) => ({
            id,
            x: layout.xy[i]?.[0] ?? 0,
            y: layout.xy[i]?.[1] ?? 0,
            genre: groupOf.get(id) ?? null,
          }));
          let query: MapQuery | undefined;
          if (options.query || options.track) {
            const answer = options.query
              ? await engine.recommend(options.query, { k: 5, tags: false })
              : await engine.similar(
                  /^\d+$/.test(options.track ?? '') ? Number(options.track) : (options.track ?? ''),
                  { k: 5, tags: false },
                );
            const own =
              'track' in answer ? answer.track.trackId : (answer.match?.trackId ?? undefined);
            const results = answer.recommendations.map((r) => ({
              id: r.trackId,
              label: trackName(r),
            }));
            const [x, y] = placeQuery(new Map(points.map((p) => [p.id, [p.x, p.y] as const])), {
              ownTrackId: own,
              results: answer.recommendations.map((r) => ({
                id: r.trackId,
                similarity: r.similarity,
              })),
            }) ?? [0, 0];
            const label =
              'track' in answer
                ? trackName(answer.track)
                : answer.match
                  ? `${path.basename(options.query ?? '')} = ${trackName(answer.match)}`
                  : path.basename(options.query ?? '');
            query = { label, x, y, results };
          }
          const svg = mapSvg(points, {
            title: `${points.length} tracks · UMAP of the track vectors · coloured by ${MAP_LEGENDS[colourBy].title}`,
            legend: MAP_LEGENDS[colourBy],
            ...(query ? { query } : {}),
          });
          if (options.out.toLowerCase().endsWith('.png')) {
            await writeFile(options.out, await mapPng(svg));
          } else {
            await writeFile(options.out, svg);
          }
          process.stdout.write(
            `${printable(options.out)}: ${points.length} tracks${cached ? ' (layout from the cache)' : ''}${query ? `, ${printable(query.label)} and its ${query.results.length} marked` : ''}\n`,
          );
        } finally {
          await engine.close();
        }
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
