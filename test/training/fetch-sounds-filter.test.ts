/**
 * The file-name filters of scripts/fetch-sounds.sh, run by bash and grep as the script runs them:
 * music folders, names that say music, and pieces of music found among sound effects are left out;
 * sound effects whose names merely contain those letters are kept.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/** The paths of `paths` that the script's three greps let through. */
function kept(paths: readonly string[]): string[] {
  const script = readFileSync(path.join(REPO_ROOT, 'scripts', 'fetch-sounds.sh'), 'utf8');
  const definitions = script
    .split('\n')
    .filter((line) => /^music_(path|name|piece)=/.test(line))
    .join('\n');
  expect(definitions.split('\n')).toHaveLength(3);
  const run = spawnSync(
    'bash',
    [
      '-c',
      `${definitions}
      grep -viE "$music_path" | grep -viE "/[^/]*\${music_name}[^/]*\\$" | grep -viE "$music_piece"`,
    ],
    { input: `${paths.join('\n')}\n`, encoding: 'utf8' },
  );
  return run.stdout.split('\n').filter((line) => line !== '');
}

it('leaves out music and keeps sound effects with look-alike names', () => {
  const music = [
    '/p/supertux2/speech/tux_rap.ogg',
    '/p/hedgewars/Data/Sounds/ride_of_the_valkyries.ogg',
    '/p/supertuxkart/data/tracks/battleisland/Gran_Paradiso_Unused_-_TuxKart_5a_Gowns_Bow_Remix.ogg',
    '/p/game/music/level1.ogg',
    '/p/game/sounds/victory_fanfare.wav',
  ];
  const sounds = [
    '/p/megaglest/units/valkyrie/sounds/valkyrie_ack1.wav',
    '/p/game/sounds/trap.ogg',
    '/p/game/sounds/wrap_paper.wav',
    '/p/game/sounds/rapids.ogg',
    '/p/widelands/sound/smiths/sharpening.ogg',
    '/p/game/rap/door.ogg',
  ];
  expect(kept([...music, ...sounds])).toEqual(sounds);
});
