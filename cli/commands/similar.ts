/** `synesthete similar <trackId|path…>`: neighbours of a catalogue track, or of several as a set. */
import type { Command } from 'commander';
import type { SeedSetAnswer, TrackSummary } from '../../core/engine.js';
import { trackName } from '../../core/recommend/names.js';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  reportError,
  withCommonOptions,
} from '../common.js';
import { formatRecommendations, formatTags, resultJson, tagsJson, trackLabel } from '../format.js';
import { type ListFlags, listOptionsFrom, withListOptions } from '../list-options.js';
import { keepWasmBaseline } from '../wasm-tiering.js';

interface SimilarOptions extends CommonOptions, ListFlags {
  k: number;
  json?: boolean;
}

const trackJson = (t: TrackSummary) => ({
  trackId: t.trackId,
  title: t.title,
  artist: t.artist,
  album: t.album,
  genre: t.genre ?? null,
});

/** Lines of an answer to several seeds: the seeds, then the results, each with its closest seed. */
export function formatSeedSet(answer: SeedSetAnswer): string[] {
  const seedNames = answer.seeds.map((s) => (s.track ? trackName(s.track) : (s.clip ?? 'a clip')));
  return [
    `together: ${seedNames.map((n, i) => `${i + 1}. ${n}`).join(' · ')}`,
    ...formatTags(answer.tags),
    `  ${answer.recommendations.length} tracks for the set:`,
    ...formatRecommendations(
      answer.recommendations,
      answer.seeds.flatMap((s) => (s.track ? [s.track] : [])),
      seedNames,
    ),
  ];
}

/** Registers the command. */
export function registerSimilar(program: Command): void {
  withListOptions(
    withCommonOptions(
      program
        .command('similar')
        .description(
          'list the catalogue tracks nearest to a catalogue track, or to several tracks as a set',
        )
        .argument(
          '<track...>',
          'track ids (as printed in [#id]) or the paths they were ingested from; several: tracks for the set as a whole',
        )
        .option('-k, --k <n>', 'number of neighbours', positiveInt, 5)
        .option('--json', 'print one JSON object: { track, tags?, recommendations }'),
    ),
  )
    .addHelpText(
      'after',
      '\nBy default no two results are versions of one song, and at most two come from one artist\n' +
        'and two from one album. With several tracks, the answer is for the set as a whole (the\n' +
        "centroid of the tracks' vectors), none of the seeds is among it, and each result names the\n" +
        'seed it is closest to.\n\nExamples:\n  synesthete similar 12\n  synesthete similar 12 40 97 --genre jazz',
    )
    .action(async (refs: string[], options: SimilarOptions) => {
      try {
        const list = listOptionsFrom(options);
        keepWasmBaseline(0);
        const engine = await engineFrom(options, true);
        const ref = (r: string) => (/^\d+$/.test(r) ? Number(r) : r);
        try {
          if (refs.length > 1) {
            const answer = await engine.recommendSet(
              refs.map((r) => ({ track: ref(r) })),
              { k: options.k, ...list },
            );
            process.stdout.write(
              options.json
                ? `${JSON.stringify({
                    seeds: answer.seeds.map((s) => (s.track ? trackJson(s.track) : {})),
                    ...(answer.tags ? { tags: tagsJson(answer.tags) } : {}),
                    recommendations: answer.recommendations.map(resultJson),
                  })}\n`
                : `${formatSeedSet(answer).join('\n')}\n`,
            );
            return;
          }
          const result = await engine.similar(ref(refs[0] as string), { k: options.k, ...list });
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({
                track: trackJson(result.track),
                ...(result.tags ? { tags: tagsJson(result.tags) } : {}),
                recommendations: result.recommendations.map(resultJson),
              })}\n`,
            );
          } else {
            process.stdout.write(
              `${[
                `${trackLabel(result.track)}  [#${result.track.trackId}]`,
                ...formatTags(result.tags),
                `  ${result.recommendations.length} nearest:`,
                ...formatRecommendations(result.recommendations, [result.track]),
              ].join('\n')}\n`,
            );
          }
        } finally {
          await engine.close();
        }
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
