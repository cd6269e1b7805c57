/**
 * The catalogue map and the chat filters through each adapter, end to end over the bot tests'
 * ten-track catalogue: the chat service's map (a PNG with the answer marked, the web chat's
 * points, "too small" for a catalogue of two), and on Telegram (fake Bot API), Slack (Bolt's HTTP
 * receiver against the fake Web API) and Discord (the fake gateway and REST) a filtered
 * `/similar` and a press on "🗺 Show on the map".
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot } from '../../bots/discord/index.js';
import { decodeAction, decodeMapAction } from '../../bots/shared/actions.js';
import { createChatService } from '../../bots/shared/chat-service.js';
import type { RecommenderPort } from '../../bots/shared/recommender-port.js';
import { tempDir } from '../helpers/temp.js';
import { type BotTestEngine, openBotTestEngine } from './engine.js';
import { startFakeDiscord } from './fakes/discord-api.js';
import { blockActionsForm, slashCommandForm } from './fakes/slack-events.js';
import { resultTrackIds, startSlackRig } from './fakes/slack-harness.js';
import { startTelegramDriver } from './fakes/telegram-driver.js';
import { callbackQueryUpdate } from './fakes/telegram-updates.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

// biome-ignore lint/suspicious/noExplicitAny: platform payloads are read loosely.
type Payload = any;

describe('catalogue map and chat filters', () => {
  let engine: BotTestEngine;
  /** Track id → genre tag, and the ids by tag. */
  const genreOf = new Map<number, string | null>();
  let electronic: number[];
  let metal: number[];

  beforeAll(async () => {
    engine = await openBotTestEngine({ rateLimit: { clips: 100, perS: 60 } });
    const tracks = await engine.engine.catalog.listTracks();
    for (const t of tracks) genreOf.set(t.id, t.genre);
    electronic = tracks.filter((t) => t.genre === 'electronic').map((t) => t.id);
    metal = tracks.filter((t) => t.genre === 'metal_rock').map((t) => t.id);
    expect(electronic).toHaveLength(2);
    expect(metal).toContain(engine.catalogueTrackId);
  });

  afterAll(async () => {
    await engine?.close();
  });

  describe('the chat service', () => {
    it('draws the catalogue alone before any answer, then the last answer marked', async () => {
      const service = engine.service;
      const bare = await service.mapPicture?.('test:map');
      if (bare?.kind !== 'picture') throw new Error(`no picture: ${JSON.stringify(bare)}`);
      expect([...bare.png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
      expect(bare.caption).toMatch(/10 tracks.*Send a clip/);

      const answer = await service.handleClip({
        platform: 'web',
        kind: 'voice',
        conversation: 'test:map',
        user: 'u',
        read: () => readFile(engine.voiceNoteOfCatalogueTrack).then((b) => new Uint8Array(b)),
      });
      if (answer.kind !== 'results') throw new Error(`no results: ${JSON.stringify(answer)}`);
      const started = performance.now();
      const marked = await service.mapPicture?.('test:map', answer.answerId);
      const ms = performance.now() - started;
      if (marked?.kind !== 'picture') throw new Error('no picture');
      expect(marked.caption).toContain(engine.catalogueTrackTitle);
      expect(marked.caption).toMatch(/ringed 1–5/);
      // The layout is reused: the press costs drawing, not UMAP.
      expect(ms).toBeLessThan(5000);

      const view = await service.mapView?.('test:map');
      if (view?.kind !== 'map') throw new Error('no view');
      expect(view.points).toHaveLength(10);
      for (const p of view.points) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThanOrEqual(1);
        expect(p.colour).toMatch(/^#[0-9a-f]{6}$/);
      }
      const own = view.points.find((p) => p.id === engine.catalogueTrackId);
      expect(view.query).toMatchObject({ x: own?.x, y: own?.y });
      expect(view.query?.results.map((r) => r.id)).toEqual(answer.results.map((r) => r.trackId));
      expect(view.legend.reduce((s, l) => s + l.count, 0)).toBe(10);
    });

    it('narrows a clip answer and a track answer by the filter, and says so', async () => {
      const clip = await engine.service.handleClip({
        platform: 'web',
        kind: 'voice',
        conversation: 'test:filter',
        user: 'u',
        filter: { notGenres: ['metal_rock'], maxDurationS: 3600 },
        read: () => readFile(engine.voiceNoteOfCatalogueTrack).then((b) => new Uint8Array(b)),
      });
      if (clip.kind !== 'results') throw new Error('no results');
      expect(clip.results).toHaveLength(5);
      for (const r of clip.results) expect(genreOf.get(r.trackId)).not.toBe('metal_rock');
      expect(clip.summary).toContain('not metal_rock · at most 60:00 long');

      const track = await engine.service.similarTrack?.('test:filter', metal[0] as number, {
        genres: ['Electronic'],
      });
      if (track?.kind !== 'results') throw new Error('no results');
      expect(track.results.map((r) => r.trackId).sort()).toEqual([...electronic].sort());
      expect(track.summary).toBe('only Electronic');
      const unknown = await engine.service.similarTrack?.('test:filter', 999_999);
      expect(unknown).toMatchObject({ kind: 'error', text: expect.stringMatching(/isn't in/) });
    });

    it('says a catalogue of two is too small for a map', async () => {
      const tmp = await tempDir('map-small');
      try {
        const two: RecommenderPort = {
          recommend: engine.engine.recommend,
          similar: engine.engine.similar,
          indexDir: tmp.dir,
          model: { metadata: { version: 'm1' } },
          catalog: {
            getTrack: async () => undefined,
            version: async () => 1,
            embeddings: async () =>
              [1, 2].map((id) => ({
                id,
                embedding: new Float32Array([id, 1, 0]),
                windowEmbeddings: null,
                windowCount: 0,
              })),
            getTrackInfos: async () => [],
          },
        };
        const service = createChatService(two, { log: () => undefined });
        expect(await service.mapPicture?.('c')).toEqual({
          kind: 'ack',
          text: 'My catalogue has only 2 tracks — a map needs at least 3.',
        });
      } finally {
        await tmp.remove();
      }
    });
  });

  describe('telegram', () => {
    it('answers /similar <id> genre:… within the genre, and the map button with a photo', async () => {
      const driver = await startTelegramDriver(engine.service);
      try {
        const bad = await driver.text(`/similar ${metal[0]} min-duration:soon`);
        expect(bad.reply.text).toMatch(/can't read "soon"/);

        const filtered = await driver.text(`/similar ${metal[0]} --genre electronic`);
        expect(filtered.handled.answer).toBe('results');
        expect([...filtered.reply.resultTrackIds].sort()).toEqual([...electronic].sort());
        expect(filtered.reply.text).toContain('only electronic');
        const results = filtered.calls.find(
          (c) => c.method === 'sendMessage' && c.params.reply_markup,
        );
        const rows: Payload[][] = (results?.params.reply_markup as Payload)?.inline_keyboard ?? [];
        const last = rows.flat().at(-1);
        expect(last.text).toBe('🗺 Show on the map');
        expect(decodeMapAction(last.callback_data)).toMatch(/^[\w-]{36}$/);

        const pressed = await driver.push(
          callbackQueryUpdate(results?.result as Payload, last.callback_data),
        );
        expect(pressed.handled).toMatchObject({ kind: 'map', answer: 'picture' });
        const photo = pressed.calls.find((c) => c.method === 'sendPhoto');
        expect(String(photo?.params.caption)).toMatch(/★ .*ringed 1–5/);
        expect(pressed.reply.image).toBe(true);
      } finally {
        await driver.close();
      }
    });
  });

  describe('slack', () => {
    it('answers /synesthete similar <id> genre:… and uploads the map for the button', async () => {
      const rig = await startSlackRig(engine.service);
      try {
        const from = rig.fake.calls.length;
        await rig.sendForm(
          slashCommandForm({
            command: '/synesthete',
            text: `similar ${metal[0]} genre:electronic`,
            responseUrl: rig.fake.responseUrl(),
          }),
        );
        const reply = await rig.fake.waitFor((c) => c.method === 'respond', { fromSeq: from });
        expect(reply.params.response_type).toBe('in_channel');
        expect(resultTrackIds(reply.params).sort()).toEqual([...electronic].sort());
        const blocks = reply.params.blocks as Payload[];
        const mapButton = blocks.at(-1)?.elements?.[0];
        expect(mapButton).toMatchObject({ action_id: 'map', text: { text: '🗺 Show on the map' } });

        const pressedAt = rig.fake.calls.length;
        await rig.sendForm(
          blockActionsForm({
            actionId: mapButton.action_id,
            value: mapButton.value,
            messageTs: rig.fake.nextTs(),
            responseUrl: rig.fake.responseUrl(),
          }),
        );
        const upload = await rig.fake.waitFor((c) => c.method === 'files.completeUploadExternal', {
          fromSeq: pressedAt,
          what: 'the map upload',
        });
        expect(String(upload.params.initial_comment)).toMatch(/ringed 1–5/);
      } finally {
        await rig.close();
      }
    });
  });

  describe('discord', () => {
    it('filters /similar by its options, refuses a bad one, and answers the map button with the picture', async () => {
      const fake = await startFakeDiscord();
      const logs: string[] = [];
      const bot = await startDiscordBot(engine.service, {
        token: fake.token,
        apiUrl: fake.apiUrl,
        guildId: fake.guildId,
        log: (line) => logs.push(line),
      });
      const interaction = (type: 2 | 3, data: Payload, message?: Payload): Payload => {
        const id = fake.nextId();
        return {
          id,
          application_id: fake.applicationId,
          type,
          token: `interaction-token-${id}`,
          version: 1,
          guild_id: fake.guildId,
          channel_id: fake.channelId,
          channel: { id: fake.channelId, type: 0, guild_id: fake.guildId, name: 'music' },
          member: {
            user: fake.human,
            roles: [],
            permissions: '2248473465835073',
            joined_at: new Date().toISOString(),
            deaf: false,
            mute: false,
            flags: 0,
          },
          app_permissions: '2248473465835073',
          locale: 'en-US',
          entitlements: [],
          authorizing_integration_owners: { '0': fake.guildId },
          context: 0,
          attachment_size_limit: 26_214_400,
          data,
          ...(message ? { message } : {}),
        };
      };
      /** Dispatches an interaction; resolves with its deferred callback's finished body. */
      const answerOf = async (payload: Payload) => {
        const after = fake.requests.length;
        fake.dispatch('INTERACTION_CREATE', payload);
        const callback = await fake.waitForRequest(
          (r) =>
            r.method === 'POST' &&
            r.path === `/interactions/${payload.id}/${payload.token}/callback`,
          { after },
        );
        if (callback.body?.type === 4) return { body: callback.body.data, files: callback.files };
        const done = await fake.waitForRequest(
          (r) =>
            r.method === 'PATCH' &&
            r.path.startsWith(`/webhooks/${fake.applicationId}/${payload.token}`),
          { after },
        );
        return { body: done.body, files: done.files, message: done.message };
      };
      try {
        await fake.identified();
        const attachment = fake.serveAttachment(
          new Uint8Array(await readFile(engine.voiceNoteOfCatalogueTrack)),
          { filename: 'clip.ogg', contentType: 'audio/ogg' },
        );
        const similar = (options: Payload[]) =>
          interaction(2, {
            id: fake.nextId(),
            name: 'similar',
            type: 1,
            options: [{ name: 'clip', type: 11, value: attachment.id }, ...options],
            resolved: { attachments: { [attachment.id]: attachment } },
          });

        const refused = await answerOf(similar([{ name: 'min_duration', type: 3, value: 'soon' }]));
        expect(refused.body.content).toMatch(/can't read "soon"/);
        expect(refused.body.flags & 64).toBe(64);

        const filtered = await answerOf(
          similar([
            { name: 'not_genre', type: 3, value: 'metal_rock' },
            { name: 'max_duration', type: 3, value: '60:00' },
          ]),
        );
        const ids: number[] = [];
        for (const row of filtered.body.components) {
          for (const c of row.components) {
            const action = decodeAction(c.custom_id);
            if (action?.vote === 'up') ids.push(action.trackId);
          }
        }
        expect(ids, logs.join('\n')).toHaveLength(5);
        for (const id of ids) expect(genreOf.get(id)).not.toBe('metal_rock');
        expect(filtered.body.embeds[0].description).toContain('not metal_rock');
        const mapButton = filtered.body.components.at(-1).components.at(-1);
        expect(mapButton.label).toBe('🗺 Show on the map');

        const map = await answerOf(
          interaction(3, { custom_id: mapButton.custom_id, component_type: 2 }, filtered.message),
        );
        expect(map.files.map((f: Payload) => f.name)).toEqual(['map.png']);
        expect([...(map.files[0]?.bytes.slice(0, 4) ?? [])]).toEqual(PNG_SIGNATURE);
        expect(map.body.embeds[0].image.url).toBe('attachment://map.png');
        expect(map.body.embeds[0].description).toMatch(/★ your clip.*ringed 1–5/);
      } finally {
        await bot.stop();
        await fake.close();
      }
    });
  });
});
