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
import {
  formatMatch,
  formatRecommendations,
  formatTags,
  resultJson,
  tagsJson,
  trackLabel,
} from '../format.js';
import { type ListFlags, listOptionsFrom, withListOptions } from '../list-options.js';
import { keepWasmBaseline } from '../wasm-tiering.js';
import { formatSeedSet } from './similar.js';

interface RecommendOptions extends CommonOptions, ListFlags {
  k: number;
  json?: boolean;
  musicCheck: boolean;
  together?: boolean;
}

/** Registers the command. */
export function registerRecommend(program: Command): void {
  withListOptions(
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
        )
        .option(
          '--together',
          'one answer for all the clips as a set: tracks near them as a whole, none of the clips themselves, each naming the clip it is closest to',
        ),
    ),
  )
    .addHelpText(
      'after',
      '\nWhen a clip is itself a catalogue track (a phone recording or a cut of it), it is named as the\n' +
        'match and left out of the recommendations. A clip of talking, silence or noise is answered\n' +
        `"${NOT_MUSIC_MESSAGE}" (exit status 0) unless --no-music-check is given.\n\n` +
        'By default no two results are versions of one song, and at most two come from one artist and\n' +
        'two from one album; "sounds like" is the genre voted by the nearest catalogue tracks\' tags.\n\n' +
        'Examples:\n  synesthete recommend data/demo/queries/voice-note.ogg\n' +
        '  synesthete recommend a.ogg b.mp3 --together --not-genre metal',
    )
    .action(async (clips: string[], options: RecommendOptions) => {
      let engine: Awaited<ReturnType<typeof engineFrom>>;
      let list: ReturnType<typeof listOptionsFrom>;
      try {
        list = listOptionsFrom(options);
        keepWasmBaseline(clips.length);
        engine = await engineFrom(options, true, true, options.together ? undefined : clips[0]);
      } catch (error) {
        process.exitCode = reportError(error);
        return;
      }
      if (options.together) {
        try {
          const answer = await engine.recommendSet(
            clips.map((clip) => ({ clip })),
            { k: options.k, skipMusicCheck: !options.musicCheck, ...list },
          );
          process.stdout.write(
            options.json
              ? `${JSON.stringify({
                  clips,
                  seeds: answer.seeds.map((s) => ({
                    ...(s.clip ? { clip: s.clip } : {}),
                    ...(s.track
                      ? { match: { trackId: s.track.trackId, title: s.track.title } }
                      : {}),
                  })),
                  ...(answer.tags ? { tags: tagsJson(answer.tags) } : {}),
                  recommendations: answer.recommendations.map(resultJson),
                })}\n`
              : `${formatSeedSet(answer).join('\n')}\n`,
          );
        } catch (error) {
          process.exitCode = reportError(error);
        } finally {
          await engine.close();
        }
        return;
      }
      let failures = 0;
      try {
        for (const clip of clips) {
          try {
            const result = await engine.recommend(clip, {
              k: options.k,
              skipMusicCheck: !options.musicCheck,
              ...list,
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
                  ...(result.tags ? { tags: tagsJson(result.tags) } : {}),
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
              lines.push(...formatTags(result.tags));
              const n = result.recommendations.length;
              lines.push(
                result.match
                  ? `  ${n} more like ${trackLabel(result.match)}:`
                  : `  ${n} similar tracks:`,
              );
              lines.push(
                ...formatRecommendations(
                  result.recommendations,
                  result.match ? [result.match] : [],
                ),
                '',
              );
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
