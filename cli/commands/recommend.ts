/** `synesthete recommend <clip…>`: five similar tracks for each clip. */
import type { Command } from 'commander';
import { NOT_MUSIC_MESSAGE } from '../../core/model/music-gate.js';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  printable,
  reportError,
  withCommonOptions,
} from '../common.js';
import { formatMatch, formatRecommendations, resultJson, trackLabel } from '../format.js';

interface RecommendOptions extends CommonOptions {
  k: number;
  json?: boolean;
  musicCheck: boolean;
}

/** Registers the command. */
export function registerRecommend(program: Command): void {
  withCommonOptions(
    program
      .command('recommend')
      .description(
        'recommend catalogue tracks that sound like each clip (any audio file ffmpeg reads)',
      )
      .argument('<clip...>', 'audio files: voice notes, recordings, cuts of songs')
      .option('-k, --k <n>', 'number of recommendations', positiveInt, 5)
      .option(
        '--json',
        'one JSON object per clip and line: { clip, match?, music?, recommendations }',
      )
      .option(
        '--no-music-check',
        'recommend even for a clip the music gate takes for talking, silence or noise',
      ),
  )
    .addHelpText(
      'after',
      '\nWhen a clip is itself a catalogue track (a phone recording or a cut of it), it is named as the\n' +
        'match and left out of the recommendations. A clip of talking, silence or noise is answered\n' +
        `"${NOT_MUSIC_MESSAGE}" (exit status 0) unless --no-music-check is given.\n\nExample:\n  synesthete recommend data/demo/queries/voice-note.ogg`,
    )
    .action(async (clips: string[], options: RecommendOptions) => {
      let engine: Awaited<ReturnType<typeof engineFrom>>;
      try {
        engine = await engineFrom(options, true);
      } catch (error) {
        process.exitCode = reportError(error);
        return;
      }
      let failures = 0;
      try {
        for (const clip of clips) {
          try {
            const result = await engine.recommend(clip, {
              k: options.k,
              skipMusicCheck: !options.musicCheck,
            });
            const music = result.music
              ? {
                  probability: Number(result.music.probability.toFixed(3)),
                  isMusic: result.music.isMusic,
                  ...(result.music.reason ? { reason: result.music.reason } : {}),
                }
              : undefined;
            if (options.json) {
              process.stdout.write(
                `${JSON.stringify({
                  clip,
                  ...(result.match
                    ? {
                        match: {
                          trackId: result.match.trackId,
                          title: result.match.title,
                          artist: result.match.artist,
                          album: result.match.album,
                          score: Number(result.match.score.toFixed(4)),
                          ...(result.match.method ? { method: result.match.method } : {}),
                          ...(result.match.offsetS !== undefined
                            ? { offsetS: Number(result.match.offsetS.toFixed(2)) }
                            : {}),
                        },
                      }
                    : {}),
                  ...(music ? { music } : {}),
                  ...(music && !music.isMusic ? { message: NOT_MUSIC_MESSAGE } : {}),
                  recommendations: result.recommendations.map(resultJson),
                })}\n`,
              );
            } else {
              const lines = [
                `${printable(clip)}  (${result.query.analysedS.toFixed(1)} s analysed · ${result.query.summary})`,
              ];
              if (music && !music.isMusic) {
                const why =
                  music.reason === 'silence'
                    ? 'it is silent'
                    : `music probability ${music.probability.toFixed(2)}`;
                lines.push(`  ${NOT_MUSIC_MESSAGE} (${why}).`, '');
                process.stdout.write(`${lines.join('\n')}\n`);
                continue;
              }
              if (result.match) lines.push(formatMatch(result.match));
              const n = result.recommendations.length;
              lines.push(
                result.match
                  ? `  ${n} more like ${trackLabel(result.match)}:`
                  : `  ${n} similar tracks:`,
              );
              lines.push(...formatRecommendations(result.recommendations), '');
              process.stdout.write(`${lines.join('\n')}\n`);
            }
          } catch (error) {
            failures++;
            reportError(error, clip);
            if (engineFatal(error)) break;
          }
        }
      } finally {
        await engine.close();
      }
      if (failures > 0) process.exitCode = 1;
    });
}

/** Errors after which trying the next clip is pointless. */
function engineFatal(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'E_EMPTY_CATALOG' || code === 'E_CATALOG' || code === 'E_FFMPEG_MISSING';
}
