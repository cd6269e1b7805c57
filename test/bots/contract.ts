/**
 * The one contract suite every chat adapter passes (after drizzle-orm's shared pg test suite and
 * bolt-js's receiver helpers): each adapter test file builds a harness that drives the adapter
 * through its real SDK against a local fake of the platform, and calls {@link adapterContract}.
 *
 *   voice note in → the match named and five results out;
 *   bad file → a polite reply, and the bot still answers the next clip;
 *   👎 → the next answer changes; /forget → it comes back; /help explains what to send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatService, ClipKind, Platform, Vote } from '../../bots/shared/types.js';
import { type BotTestEngine, openBotTestEngine } from './engine.js';

/** What the bot sent back for one interaction, as the harness read it off the fake platform. */
export interface ObservedReply {
  /** Every text the bot sent or edited in for this interaction, joined by newlines. */
  readonly text: string;
  /** Catalogue track ids of the results, best first, read from the buttons' payloads. */
  readonly resultTrackIds: readonly number[];
  /** True when the reply carried the spectrogram picture. */
  readonly image: boolean;
}

/** Drives one adapter through its SDK against a fake platform. */
export interface AdapterHarness {
  readonly platform: Platform;
  /** Whether the platform shows images (then the spectrogram picture must come). */
  readonly showsImages: boolean;
  /**
   * Sends a clip the platform's usual way and resolves with the bot's finished reply to it.
   * @param filePath - audio (or not-audio) file to send
   * @param options - how the platform labels it; default a voice note "voice.ogg", audio/ogg
   */
  sendClip(
    filePath: string,
    options?: { kind?: ClipKind; fileName?: string; mimeType?: string },
  ): Promise<ObservedReply>;
  /** Presses a result's button on the last results reply and resolves with what the bot sent. */
  press(trackId: number, vote: Vote): Promise<ObservedReply>;
  /** Sends a command ("/help", "/forget" or the platform's equivalent). */
  command(name: 'help' | 'forget'): Promise<ObservedReply>;
  close(): Promise<void>;
}

/**
 * Registers the contract tests for one adapter.
 *
 * @param name - describe() title, e.g. "telegram adapter"
 * @param setup - builds the harness around a {@link ChatService} on the shared test catalogue
 */
export function adapterContract(
  name: string,
  setup: (service: ChatService, engine: BotTestEngine) => Promise<AdapterHarness>,
): void {
  describe(`${name}: chat contract`, () => {
    let engine: BotTestEngine;
    let harness: AdapterHarness;

    beforeAll(async () => {
      // The suite sends a dozen clips from one user within a minute; the per-user rate limit
      // (6 a minute by default) has its own tests in test/bots/shared.
      engine = await openBotTestEngine({ rateLimit: { clips: 1000, perS: 60 } });
      harness = await setup(engine.service, engine);
    });

    afterAll(async () => {
      await harness?.close();
      await engine?.close();
    });

    it('answers a voice note of a catalogue track with the match and five results', async () => {
      const reply = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      expect(reply.text).toContain(engine.catalogueTrackTitle);
      expect(reply.resultTrackIds).toHaveLength(5);
      expect(new Set(reply.resultTrackIds).size).toBe(5);
      expect(reply.resultTrackIds).not.toContain(engine.catalogueTrackId);
      if (harness.showsImages) expect(reply.image).toBe(true);
    });

    it('answers a file that is not audio politely, then still answers the next clip', async () => {
      const bad = await harness.sendClip(engine.notAudioFile, {
        kind: 'audio',
        fileName: 'song.mp3',
        mimeType: 'audio/mpeg',
      });
      expect(bad.resultTrackIds).toHaveLength(0);
      expect(bad.text).toMatch(/couldn.t read|not .*audio|send/i);
      expect(bad.text).not.toMatch(/Error:|stack|at \w+ \(/);
      const good = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      expect(good.resultTrackIds).toHaveLength(5);
    });

    it('re-ranks the next answer after 👎, and /forget undoes it', async () => {
      const first = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      const top = first.resultTrackIds[0];
      expect(top).toBeDefined();
      await harness.press(top as number, 'down');
      const second = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      expect(second.resultTrackIds).toHaveLength(5);
      expect(second.resultTrackIds).not.toContain(top);
      expect(second.resultTrackIds).not.toEqual(first.resultTrackIds);
      const forgot = await harness.command('forget');
      expect(forgot.text).toMatch(/forg|clear/i);
      const third = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      expect(third.resultTrackIds).toEqual(first.resultTrackIds);
    });

    it('answers "more like this" with neighbours of that track', async () => {
      const first = await harness.sendClip(engine.voiceNoteOfCatalogueTrack);
      const pick = first.resultTrackIds[1] as number;
      const more = await harness.press(pick, 'more');
      expect(more.resultTrackIds.length).toBeGreaterThanOrEqual(3);
      expect(more.resultTrackIds).not.toContain(pick);
    });

    it('explains what to send on /help', async () => {
      const help = await harness.command('help');
      expect(help.text).toMatch(/voice/i);
      expect(help.text).toMatch(/forget/i);
    });
  });
}
