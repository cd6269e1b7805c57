/**
 * The Telegram adapter, driven through grammY against a local fake of the Bot API: the shared
 * chat contract on the test catalogue, then what is Telegram's own (announced-size refusal
 * without a download, /similar as a reply, hints, webhook secret checks, error handling,
 * options from the environment, HTML rendering).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAction } from '../../bots/shared/actions.js';
import type { ChatAnswer, ChatService, ClipInput, ResultItem } from '../../bots/shared/types.js';
import { downloadTelegramFile } from '../../bots/telegram/download.js';
import { startTelegramBot, telegramOptionsFromEnv } from '../../bots/telegram/index.js';
import {
  CLOUD_DOWNLOAD_LIMIT_BYTES,
  downloadLimitBytes,
  LOCAL_SERVER_DOWNLOAD_LIMIT_BYTES,
} from '../../bots/telegram/options.js';
import { findAttachment } from '../../bots/telegram/parse.js';
import { escapeHtml, renderAnswer } from '../../bots/telegram/render.js';
import { hasCode } from '../../core/util/errors.js';
import { tempDir } from '../helpers/temp.js';
import { adapterContract } from './contract.js';
import { FAKE_BOT_TOKEN, startFakeTelegramApi } from './fakes/telegram-api.js';
import { sentAsFor, startTelegramDriver, type TelegramDriver } from './fakes/telegram-driver.js';
import {
  clipMessage,
  messageUpdate,
  RECORDED_VOICE_UPDATE,
  stickerMessage,
  textMessage,
} from './fakes/telegram-updates.js';

adapterContract('telegram adapter', async (service) => {
  // A group chat, each clip from another member: the contract sends more clips in a minute
  // than the per-user rate limit lets one person send.
  const driver = await startTelegramDriver(service, { chat: 'group' });
  return {
    platform: 'telegram',
    showsImages: true,
    async sendClip(filePath, options = {}) {
      const sent = await driver.sendClip(filePath, {
        as: sentAsFor(options.kind),
        ...(options.fileName !== undefined ? { fileName: options.fileName } : {}),
        ...(options.mimeType !== undefined ? { mimeType: options.mimeType } : {}),
      });
      return sent.reply;
    },
    async press(trackId, vote) {
      return (await driver.press(trackId, vote)).reply;
    },
    async command(name) {
      return (await driver.text(`/${name}`)).reply;
    },
    close: () => driver.close(),
  };
});

/** A chat service that records what it was given and answers five canned results. */
function recordingService(): ChatService & { clips: ClipInput[]; bytes: Uint8Array[] } {
  const clips: ClipInput[] = [];
  const bytes: Uint8Array[] = [];
  const results: ResultItem[] = [1, 2, 3, 4, 5].map((rank) => ({
    rank,
    trackId: 40 + rank,
    label: `Track <${rank}> — A & B`,
    title: `Track <${rank}>`,
    artist: 'A & B',
    similarity: 0.9 - rank / 20,
    confidence: 0.8,
    reason: 'same tempo (120 BPM)',
  }));
  return {
    clips,
    bytes,
    async handleClip(input) {
      clips.push(input);
      if (input.fileName === 'explode.ogg') throw new Error('engine on fire at /secret/path');
      if (input.fileName === 'slow.ogg') await new Promise((r) => setTimeout(r, 400));
      bytes.push(await input.read());
      return {
        kind: 'results',
        answerId: 'a1',
        match: { trackId: 7, label: 'Nebula — Sky', score: 0.9 },
        summary: '120 BPM · A minor · bright',
        results,
        feedbackApplied: false,
        spectrogramPng: new Uint8Array([137, 80, 78, 71]),
      } satisfies ChatAnswer;
    },
    async vote() {
      return { kind: 'ack', text: 'Noted.' };
    },
    async forget() {
      return 'Forgotten.';
    },
    helpText: () => 'Send a voice note. /forget clears your votes.',
    trackAudioPath: async () => undefined,
    claimOnce: async () => true,
    drain: async () => {},
  };
}

describe('telegram adapter: Telegram specifics', () => {
  let driver: TelegramDriver;
  let service: ReturnType<typeof recordingService>;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let clip: string;

  beforeAll(async () => {
    tmp = await tempDir('telegram');
    clip = path.join(tmp.dir, 'voice.ogg');
    await writeFile(clip, new Uint8Array(4096).fill(7));
    service = recordingService();
    driver = await startTelegramDriver(service, { typingIntervalMs: 100 });
  });

  afterAll(async () => {
    await driver?.close();
    await tmp?.remove();
  });

  it('hands the service what Telegram announced, shows "typing" first, replies to the note', async () => {
    const sent = await driver.sendClip(clip);
    const input = service.clips.at(-1);
    expect(input).toMatchObject({
      platform: 'telegram',
      kind: 'voice',
      mimeType: 'audio/ogg',
      byteLength: 4096,
      conversation: 'telegram:5550001',
      user: 'telegram:5550001',
    });
    expect(service.bytes.at(-1)?.byteLength).toBe(4096);
    const methods = sent.calls.map((c) => c.method);
    expect(methods[0]).toBe('sendChatAction');
    expect(methods.indexOf('sendChatAction')).toBeLessThan(methods.indexOf('getFile'));
    const reply = sent.calls.find((c) => c.method === 'sendMessage');
    expect(reply?.params.parse_mode).toBe('HTML');
    expect(reply?.params.reply_parameters).toMatchObject({ message_id: expect.any(Number) });
    expect(String(reply?.params.text)).toContain('This sounds like: <b>Nebula — Sky</b>');
    expect(String(reply?.params.text)).toContain('Track &lt;1&gt; — A &amp; B');
    expect(sent.reply.resultTrackIds).toEqual([41, 42, 43, 44, 45]);
    const photo = sent.calls.find((c) => c.method === 'sendPhoto');
    expect((photo?.params.photo as { file?: Uint8Array } | undefined)?.file).toEqual(
      new Uint8Array([137, 80, 78, 71]),
    );
  });

  it('keeps "typing…" up while the service works, and stops it at the reply', async () => {
    const sent = await driver.sendClip(clip, { as: 'audio', fileName: 'slow.ogg' });
    const methods = sent.calls.map((c) => c.method);
    const replyAt = methods.indexOf('sendMessage');
    const typing = methods.filter((m, i) => m === 'sendChatAction' && i < replyAt);
    expect(typing.length).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 250));
    const later = driver.fake.callsSince(driver.fake.calls.length - 5, 'sendChatAction');
    expect(later.every((c) => c.at < (sent.calls[replyAt]?.at ?? 0))).toBe(true);
  });

  it('refuses a 25 MB announced file without downloading it', async () => {
    const before = service.clips.length;
    const downloadsBefore = driver.fake.downloads.length;
    const sent = await driver.sendClip(clip, {
      as: 'audio',
      fileName: 'concert.flac',
      mimeType: 'audio/flac',
      announcedSize: 25 * 1024 * 1024,
    });
    expect(sent.handled.answer).toBe('rejected');
    expect(sent.reply.text).toMatch(/25 MB/);
    expect(sent.calls.some((c) => c.method === 'getFile')).toBe(false);
    expect(driver.fake.downloads.length).toBe(downloadsBefore);
    expect(service.clips.length).toBe(before);
  });

  it('answers /similar sent as a reply to an earlier voice note with that note', async () => {
    const file = driver.fake.addFile(new Uint8Array(2048).fill(3));
    const original = clipMessage(file, 'voice', { durationS: 12 });
    const sent = await driver.text('/similar', { reply_to_message: original } as never);
    expect(service.clips.at(-1)).toMatchObject({ kind: 'voice', byteLength: 2048, durationS: 12 });
    expect(sent.reply.resultTrackIds).toHaveLength(5);
    const reply = sent.calls.find((c) => c.method === 'sendMessage');
    expect(reply?.params.reply_parameters).toMatchObject({ message_id: original.message_id });
  });

  it('explains /similar without a replied-to clip, and hints on text and stickers', async () => {
    const before = service.clips.length;
    expect((await driver.text('/similar')).reply.text).toMatch(/reply \/similar/i);
    expect((await driver.text('hello there')).reply.text).toMatch(/voice note/i);
    expect((await driver.push(messageUpdate(stickerMessage()))).reply.text).toMatch(/voice note/i);
    expect(service.clips.length).toBe(before);
  });

  it('accepts an audio document by extension and ignores a PDF with a hint', async () => {
    const sent = await driver.sendClip(clip, {
      as: 'document',
      fileName: 'take-1.mp3',
      mimeType: 'application/octet-stream',
    });
    expect(service.clips.at(-1)).toMatchObject({ kind: 'document', fileName: 'take-1.mp3' });
    expect(sent.reply.resultTrackIds).toHaveLength(5);
    const pdf = await driver.sendClip(clip, {
      as: 'document',
      fileName: 'lyrics.pdf',
      mimeType: 'application/pdf',
    });
    expect(pdf.reply.text).toMatch(/doesn.t look like audio/);
    expect(pdf.handled.kind).toBe('hint');
  });

  it('answers a button with a toast and a reply, /forget and /help from the service', async () => {
    await driver.sendClip(clip);
    const pressed = await driver.press(42, 'down');
    const toast = pressed.calls.find((c) => c.method === 'answerCallbackQuery');
    expect(toast?.params.text).toBe('Noted.');
    expect(pressed.calls.some((c) => c.method === 'sendMessage')).toBe(true);
    expect((await driver.text('/forget')).reply.text).toBe('Forgotten.');
    expect((await driver.text('/start')).reply.text).toMatch(/voice note/);
  });

  it('answers a failure politely without details, logs it without the token, keeps going', async () => {
    const failed = await driver.sendClip(clip, { as: 'audio', fileName: 'explode.ogg' });
    expect(failed.handled.kind).toBe('error');
    expect(failed.reply.text).toMatch(/something went wrong/i);
    expect(failed.reply.text).not.toMatch(/fire|secret|Error|at \w+ \(/);
    driver.fake.failNext('sendMessage', 400, 'Bad Request: chat not found');
    await driver.text('/help');
    const next = await driver.sendClip(clip);
    expect(next.reply.resultTrackIds).toHaveLength(5);
    expect(driver.logs.some((l) => /engine on fire/.test(l))).toBe(true);
    expect(driver.logs.join('\n')).not.toContain(FAKE_BOT_TOKEN.split(':')[1]);
  });
});

describe('telegram adapter: webhook mode', () => {
  it('rejects a wrong secret token with 401 and handles an update with the right one', async () => {
    const fake = await startFakeTelegramApi();
    const service = recordingService();
    const logs: string[] = [];
    const adapter = await startTelegramBot(service, {
      token: fake.token,
      apiRoot: fake.apiRoot,
      webhook: {
        url: 'https://bot.example.org/telegram/hook',
        secretToken: 'right-secret_123',
        port: 0,
        host: '127.0.0.1',
      },
      log: (line) => logs.push(line),
    });
    try {
      const setWebhook = fake.calls.find((c) => c.method === 'setWebhook');
      expect(setWebhook?.params).toMatchObject({
        url: 'https://bot.example.org/telegram/hook',
        secret_token: 'right-secret_123',
      });
      const url = `http://127.0.0.1:${adapter.webhookPort}/telegram/hook`;
      const update = { update_id: 1, message: textMessage('/help') };
      const post = (secret?: string) =>
        fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
          },
          body: JSON.stringify(update),
        });
      expect((await post('wrong-secret')).status).toBe(401);
      expect((await post()).status).toBe(401);
      expect(fake.calls.some((c) => c.method === 'sendMessage')).toBe(false);
      expect((await post('right-secret_123')).status).toBe(200);
      const reply = await fake.waitForCall((c) => c.method === 'sendMessage', { timeoutMs: 5000 });
      expect(reply.params.text).toMatch(/voice note/);
      expect((await fetch(url.replace('/hook', '/other'), { method: 'POST' })).status).toBe(404);
      // A failing update is reported once and acknowledged (no redelivery loop).
      fake.failNext('sendMessage', 400, 'Bad Request: chat not found');
      const failing = await post('right-secret_123');
      expect(failing.status).toBe(200);
      expect(logs.some((l) => /update 1 failed: GrammyError/.test(l))).toBe(true);
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });

  it('refuses to start with a token Telegram does not know, naming the variable', async () => {
    const fake = await startFakeTelegramApi();
    try {
      const error = await startTelegramBot(recordingService(), {
        token: '1:wrongwrongwrongwrong',
        apiRoot: fake.apiRoot,
        log: () => {},
      }).catch((e: unknown) => e);
      expect(hasCode(error, 'E_CONFIG')).toBe(true);
      expect(String((error as Error).message)).toContain('TELEGRAM_BOT_TOKEN');
      expect(String((error as Error).message)).not.toContain('wrongwrong');
    } finally {
      await fake.close();
    }
  });
});

describe('telegram adapter: downloads', () => {
  it('downloads through the file route, stops past the cap, reads a local server path', async () => {
    const fake = await startFakeTelegramApi();
    const tmp = await tempDir('telegram-download');
    try {
      const bytes = new Uint8Array(3000).map((_, i) => i % 251);
      // Announced smaller than it is: the cap holds while streaming.
      const file = fake.addFile(bytes, { folder: 'music', announcedSize: 100 });
      const api = { getFile: async () => file };
      const access = { api, token: fake.token, apiRoot: fake.apiRoot, maxBytes: 10_000 };
      expect(await downloadTelegramFile(access, file.file_id)).toEqual(bytes);
      const capped = await downloadTelegramFile({ ...access, maxBytes: 1000 }, file.file_id).catch(
        (e: unknown) => e,
      );
      expect(hasCode(capped, 'E_INPUT_TOO_LARGE')).toBe(true);
      // `telegram-bot-api --local` answers getFile with a path on its own disk.
      const local = path.join(tmp.dir, 'voice.oga');
      await writeFile(local, bytes);
      const localApi = { getFile: async () => ({ ...file, file_path: local }) };
      expect(await downloadTelegramFile({ ...access, api: localApi }, file.file_id)).toEqual(bytes);
      const missing = { getFile: async () => ({ ...file, file_path: 'music/gone.bin' }) };
      const gone = await downloadTelegramFile({ ...access, api: missing }, 'x').catch(
        (e: unknown) => e,
      );
      expect(hasCode(gone, 'E_NOT_FOUND')).toBe(true);
      expect(String((gone as Error).message)).not.toContain(fake.token);
    } finally {
      await fake.close();
      await tmp.remove();
    }
  });
});

describe('telegram adapter: options, parsing and rendering', () => {
  it('reads options from the environment and fails fast naming the missing variable', () => {
    expect(telegramOptionsFromEnv({})).toBeUndefined();
    expect(telegramOptionsFromEnv({ TELEGRAM_BOT_TOKEN: 't' })).toEqual({ token: 't' });
    expect(
      telegramOptionsFromEnv({ TELEGRAM_BOT_TOKEN: 't', TELEGRAM_API_ROOT: 'http://x:8081/' }),
    ).toEqual({ token: 't', apiRoot: 'http://x:8081' });
    const webhook = { TELEGRAM_BOT_TOKEN: 't', TELEGRAM_WEBHOOK_URL: 'https://a.example/hook' };
    expect(() => telegramOptionsFromEnv(webhook)).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    try {
      telegramOptionsFromEnv(webhook);
    } catch (error) {
      expect(hasCode(error, 'E_CONFIG')).toBe(true);
    }
    expect(telegramOptionsFromEnv({ ...webhook, TELEGRAM_WEBHOOK_SECRET: 's3cret' })).toEqual({
      token: 't',
      webhook: { url: 'https://a.example/hook', secretToken: 's3cret', port: 8080 },
    });
    expect(() =>
      telegramOptionsFromEnv({
        ...webhook,
        TELEGRAM_WEBHOOK_SECRET: 's',
        TELEGRAM_WEBHOOK_PORT: 'eighty',
      }),
    ).toThrow(/TELEGRAM_WEBHOOK_PORT/);
  });

  it('downloads up to 20 MB from the public Bot API and 2 GB from a self-hosted one', () => {
    expect(downloadLimitBytes({ token: 't' })).toBe(CLOUD_DOWNLOAD_LIMIT_BYTES);
    expect(downloadLimitBytes({ token: 't', apiRoot: 'http://bot-api:8081' })).toBe(
      LOCAL_SERVER_DOWNLOAD_LIMIT_BYTES,
    );
    expect(downloadLimitBytes({ token: 't', maxDownloadBytes: 5 })).toBe(5);
  });

  it('reads a recorded voice update as Telegram announced it', () => {
    const found = findAttachment(RECORDED_VOICE_UPDATE.message as never);
    expect(found).toEqual({
      kind: 'voice',
      fileId: RECORDED_VOICE_UPDATE.message.voice.file_id,
      fileName: 'voice.ogg',
      mimeType: 'audio/ogg',
      byteLength: 45_873,
      durationS: 15,
    });
    expect(findAttachment(textMessage('hi'))).toBeUndefined();
    expect(findAttachment(stickerMessage())).toBeUndefined();
  });

  it('escapes HTML and puts 👍 👎 "more like this" payloads on every result', () => {
    expect(escapeHtml('<b>&"')).toBe('&lt;b&gt;&amp;&quot;');
    const reply = renderAnswer({
      kind: 'results',
      answerId: 'x',
      summary: '90 BPM',
      heading: 'More like <Nebula>',
      results: [
        {
          rank: 1,
          trackId: 12,
          label: 'A — B',
          title: 'A',
          artist: 'B',
          similarity: 0.8123,
          confidence: 0.5,
          reason: 'similar timbre',
        },
      ],
      feedbackApplied: true,
    });
    expect(reply.text).toContain('<b>More like &lt;Nebula&gt;</b>');
    expect(reply.text).toContain('1. <b>A — B</b> · similarity 0.81');
    expect(reply.text).toContain('/forget');
    expect(reply.photo).toBeUndefined();
    const row = reply.keyboard?.inline_keyboard[0] ?? [];
    const actions = row.map((b) => decodeAction((b as { callback_data: string }).callback_data));
    expect(actions).toEqual([
      { vote: 'up', trackId: 12 },
      { vote: 'down', trackId: 12 },
      { vote: 'more', trackId: 12 },
    ]);
    expect(renderAnswer({ kind: 'busy', text: 'Busy <now>' })).toEqual({
      text: 'Busy <now>',
      html: false,
    });
  });
});
