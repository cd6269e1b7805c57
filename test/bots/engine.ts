/**
 * The catalogue every adapter test talks to: ten demo tracks (two of each of five labels) in a
 * temporary PGlite catalogue, the shipped model, and one {@link ChatService} over them; plus the
 * clips the contract sends (a 15 s Opus voice-note cut of a catalogue track, a file that is not
 * audio).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ChatServiceOptions, createChatService } from '../../bots/shared/chat-service.js';
import type { ChatService } from '../../bots/shared/types.js';
import { type Engine, openEngine } from '../../core/engine.js';
import { makeOpusCut } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

/** The ten demo tracks in the bot tests' catalogue. */
export const BOT_TEST_TRACKS = [
  'metal_rock__Metal_madness.ogg',
  'metal_rock__chaos_god.ogg',
  'ambient_electronic__Nebula.ogg',
  'ambient_electronic__Awakening.ogg',
  'fantasy_rpg__town_theme.ogg',
  'fantasy_rpg__battle_theme.ogg',
  'electronic__chaos-fog.ogg',
  'electronic__subcities.ogg',
  'orchestral_fantasy__knolls.ogg',
  'game_platformer__chipdisko.ogg',
] as const;

/** An engine, a chat service over it, and the clips the contract sends. */
export interface BotTestEngine {
  readonly engine: Engine;
  readonly service: ChatService;
  /** Temporary folder (removed by close()). */
  readonly dir: string;
  /** 15 s Opus (voice-note) cut of {@link catalogueTrackTitle}, starting at 10 s. */
  readonly voiceNoteOfCatalogueTrack: string;
  readonly catalogueTrackId: number;
  /** The title its tags give ("Metal madness"). */
  readonly catalogueTrackTitle: string;
  /** A text file named like audio. */
  readonly notAudioFile: string;
  close(): Promise<void>;
}

/**
 * Opens a fresh engine over {@link BOT_TEST_TRACKS} (ingest takes ~10–20 s on the 2-core machine).
 *
 * @param options - chat service options (queue, rate limit) for tests that exercise them
 */
export async function openBotTestEngine(options: ChatServiceOptions = {}): Promise<BotTestEngine> {
  const tmp = await tempDir('bots');
  const music = path.join(tmp.dir, 'music');
  await mkdir(music);
  for (const name of BOT_TEST_TRACKS) await copyFile(demoTrack(name), path.join(music, name));
  const engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
  await engine.ingest([music], { concurrency: 2 });
  const source = path.join(music, BOT_TEST_TRACKS[0]);
  const track = await engine.catalog.findBySourcePath(source);
  if (!track) throw new Error(`test catalogue lacks ${source}`);
  const voiceNote = await makeOpusCut(
    demoTrack(BOT_TEST_TRACKS[0]),
    path.join(tmp.dir, 'voice.ogg'),
    {
      startS: 10,
      seconds: 15,
    },
  );
  const notAudio = path.join(tmp.dir, 'song.mp3');
  await writeFile(notAudio, 'This is a shopping list, not a song.\n'.repeat(50));
  const service = createChatService(engine, options);
  return {
    engine,
    service,
    dir: tmp.dir,
    voiceNoteOfCatalogueTrack: voiceNote,
    catalogueTrackId: track.id,
    catalogueTrackTitle: track.title ?? path.basename(source),
    notAudioFile: notAudio,
    async close() {
      await service.drain();
      await engine.close();
      await tmp.remove();
    },
  };
}
