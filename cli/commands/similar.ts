/** `synesthete similar <trackId|path>`: neighbours of a catalogue track. */
import type { Command } from 'commander';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  reportError,
  withCommonOptions,
} from '../common.js';
import { formatRecommendations, resultJson, trackLabel } from '../format.js';

interface SimilarOptions extends CommonOptions {
  k: number;
  json?: boolean;
}

/** Registers the command. */
export function registerSimilar(program: Command): void {
  withCommonOptions(
    program
      .command('similar')
      .description('list the catalogue tracks nearest to a catalogue track')
      .argument('<track>', 'track id (as printed in [#id]) or the path it was ingested from')
      .option('-k, --k <n>', 'number of neighbours', positiveInt, 5)
      .option('--json', 'print one JSON object: { track, recommendations }'),
  ).action(async (ref: string, options: SimilarOptions) => {
    try {
      const engine = await engineFrom(options, true);
      try {
        const result = await engine.similar(/^\d+$/.test(ref) ? Number(ref) : ref, {
          k: options.k,
        });
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({
              track: {
                trackId: result.track.trackId,
                title: result.track.title,
                artist: result.track.artist,
                album: result.track.album,
              },
              recommendations: result.recommendations.map(resultJson),
            })}\n`,
          );
        } else {
          process.stdout.write(
            `${[`${trackLabel(result.track)}  [#${result.track.trackId}]`, `  ${result.recommendations.length} nearest:`, ...formatRecommendations(result.recommendations)].join('\n')}\n`,
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
