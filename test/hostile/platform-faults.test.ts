/**
 * Platform APIs misbehaving and hostile requests, against the real Telegram (grammY) and Slack
 * (Bolt) adapters and their local fakes: 429 and 5xx answers are retried with the back-off the
 * platform asks for (grammY's auto-retry plugin; the Slack WebClient's own retry policy) and never
 * crash the bot; a correctly signed Slack request with a stale timestamp (a replay) is refused; and
 * with fake secrets in the environment, no log line, error or reply shows any of them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../bots/shared/chat-service.js';
import { MESSAGES } from '../../bots/shared/messages.js';
import type { ChatService } from '../../bots/shared/types.js';
import { FIXTURES } from '../audio/helpers.js';
import { fakeSlackToken } from '../bots/fakes/fake-tokens.js';
import { FAKE_SLACK } from '../bots/fakes/slack-api.js';
import { eventCallback, fileShareMessage, slackSignature } from '../bots/fakes/slack-events.js';
import {
  createSlackHarness,
  resultTrackIds,
  type SlackRig,
  startSlackRig,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from '../bots/fakes/slack-harness.js';
import { FAKE_BOT_TOKEN } from '../bots/fakes/telegram-api.js';
import { startTelegramDriver, type TelegramDriver } from '../bots/fakes/telegram-driver.js';
import { createFakeRecommender, type FakeRecommender } from '../bots/shared/fake-recommender.js';

const VOICE_NOTE = path.join(FIXTURES, 'voice-note.ogg');

/** Uploads the voice note in the channel as a new member would; resolves once Bolt acked it. */
async function slackUpload(rig: SlackRig): Promise<void> {
  const ts = rig.fake.nextTs();
  const file = rig.fake.addFile({
    bytes: await readFile(VOICE_NOTE),
    name: 'voice.ogg',
    mimetype: 'audio/ogg',
    filetype: 'ogg',
    subtype: 'slack_audio',
    share: { channel: FAKE_SLACK.channelId, ts },
  });
  const response = await rig.sendEvent(
    fileShareMessage({ file, ts, user: `U0LOAD${ts.slice(-6)}` }),
  );
  if (response.status !== 200) throw new Error(`events endpoint answered ${response.status}`);
}

/** Fake secrets of every kind the bots read, put in the environment for the whole file. */
const SECRETS = {
  TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
  TELEGRAM_WEBHOOK_SECRET: 'webhook_secret_Zq81-kL0pW3',
  SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  SLACK_APP_TOKEN: fakeSlackToken('xapp'),
  DATABASE_URL: 'postgres://synesthete:Pg-Passw0rd-9f2e@127.0.0.1:1/synesthete',
} as const;
/** The strings that must never be printed: each secret, and the parts that identify it. */
const NEVER_PRINTED = [
  ...Object.values(SECRETS),
  FAKE_BOT_TOKEN.split(':')[1] as string,
  'Pg-Passw0rd-9f2e',
];

describe('platform faults, stale requests and secrets', () => {
  const saved = { ...process.env };
  const captured: string[] = [];
  const serviceLog: string[] = [];
  const restore: Array<() => void> = [];
  let fake: FakeRecommender;
  let service: ChatService;
  let telegram: TelegramDriver;
  let slack: SlackRig;

  beforeAll(async () => {
    Object.assign(process.env, SECRETS);
    // Everything this process prints goes through these.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => {
        stream.write = write;
      });
    }
    fake = createFakeRecommender();
    service = createChatService(fake, {
      rateLimit: { clips: 10_000, perS: 1 },
      log: (line) => serviceLog.push(line),
    });
    telegram = await startTelegramDriver(service);
    slack = await startSlackRig(service);
  });
  afterAll(async () => {
    await telegram?.close();
    await slack?.close();
    for (const undo of restore) undo();
    for (const key of Object.keys(SECRETS)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  describe('Telegram Bot API answering 429 and 5xx', () => {
    it('waits the retry_after of a 429, then sends the answer', async () => {
      telegram.fake.failNext('sendMessage', 429, 'Too Many Requests: retry after 1', {
        retry_after: 1,
      });
      const sent = await telegram.sendClip(VOICE_NOTE);
      const sends = sent.calls.filter((c) => c.method === 'sendMessage');
      expect(sends).toHaveLength(2);
      // The back-off Telegram asked for (1 s) was honoured: a lower bound, not a timing test.
      expect((sends[1]?.at ?? 0) - (sends[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(sent.reply.resultTrackIds).toEqual([1, 2, 3, 4, 5]);
    });

    it('retries a 502 (after 3 s) and sends the answer', async () => {
      telegram.fake.failNext('sendMessage', 502, 'Bad Gateway');
      const sent = await telegram.sendClip(VOICE_NOTE);
      expect(sent.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(2);
      expect(sent.reply.resultTrackIds).toEqual([1, 2, 3, 4, 5]);
    });

    it('gives up on a 429 asking for an hour without crashing, and answers the next clip', async () => {
      telegram.fake.failNext('sendMessage', 429, 'Too Many Requests: retry after 3600', {
        retry_after: 3600,
      });
      const failed = await telegram.sendClip(VOICE_NOTE);
      // The results message was not retried (no hour-long wait), and the failure was logged.
      const withResults = failed.calls.filter(
        (c) => c.method === 'sendMessage' && JSON.stringify(c.params).includes('inline_keyboard'),
      );
      expect(withResults).toHaveLength(1);
      expect(telegram.logs.join('\n')).toMatch(/429/);
      const next = await telegram.sendClip(VOICE_NOTE);
      expect(next.reply.resultTrackIds).toEqual([1, 2, 3, 4, 5]);
    });
  });

  describe('Slack Web API answering 429 and 5xx', () => {
    it('retries a 503 on chat.postMessage and a 429 (Retry-After: 1) on chat.update', async () => {
      slack.fake.failNext('chat.postMessage', 503);
      slack.fake.failNext('chat.update', 429, { 'retry-after': '1' });
      const from = slack.fake.calls.length;
      await slackUpload(slack);
      const ok = (c: { response?: unknown }) => (c.response as { ok?: boolean })?.ok === true;
      const update = await slack.fake.waitFor((c) => c.method === 'chat.update' && ok(c), {
        fromSeq: from,
        what: 'the answer',
      });
      expect(resultTrackIds(update.params)).toEqual([1, 2, 3, 4, 5]);
      const tries = (method: string) =>
        slack.fake.calls
          .slice(from)
          .filter((c) => c.method === method)
          .map((c) => (c.response as { httpStatus?: number } | undefined)?.httpStatus ?? 200);
      expect(tries('chat.postMessage').slice(0, 2)).toEqual([503, 200]);
      expect(tries('chat.update').slice(0, 2)).toEqual([429, 200]);
    });
  });

  describe('Slack request signatures', () => {
    it('refuses a correctly signed request whose timestamp is 6 minutes old (a replay)', async () => {
      const ts = slack.fake.nextTs();
      const file = slack.fake.addFile({
        bytes: new Uint8Array(2048).fill(7),
        name: 'song.mp3',
        mimetype: 'audio/mpeg',
        filetype: 'mp3',
        share: { channel: FAKE_SLACK.channelId, ts },
      });
      const body = eventCallback(fileShareMessage({ file, ts }));
      const post = (timestamp: number) =>
        fetch(slack.eventsUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': slackSignature(TEST_SIGNING_SECRET, timestamp, body),
          },
          body,
        });
      const before = fake.calls.length;
      const stale = await post(Math.floor(Date.now() / 1000) - 6 * 60);
      expect(stale.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.calls.length).toBe(before);
    });
  });

  describe('secrets', () => {
    it('appear in no log line, error or reply, even when an error message carries them', async () => {
      // A library error that echoes a URL with the token and the database password in it.
      fake.next = () =>
        Promise.reject(
          new Error(
            `request to ${telegram.fake.apiRoot}/file/bot${FAKE_BOT_TOKEN}/voice/x.oga failed; ` +
              `Authorization: Bearer ${TEST_BOT_TOKEN}; app ${SECRETS.SLACK_APP_TOKEN}; ` +
              `db ${SECRETS.DATABASE_URL}; signing ${TEST_SIGNING_SECRET}; hook ${SECRETS.TELEGRAM_WEBHOOK_SECRET}`,
          ),
        );
      const viaTelegram = await telegram.sendClip(VOICE_NOTE);
      const viaSlack = await createSlackHarness(slack).sendClip(VOICE_NOTE);
      fake.next = undefined;
      expect(viaTelegram.reply.text).toContain(MESSAGES.error);
      expect(viaSlack.text).toContain(MESSAGES.error);
      // A Bot API error whose description repeats the token, logged by the adapter.
      telegram.fake.failNext('sendMessage', 400, `Bad Request: bot${FAKE_BOT_TOKEN} is odd`);
      await telegram.sendClip(VOICE_NOTE);

      const sources: Record<string, string[]> = {
        'stdout/stderr': captured,
        'chat service log': serviceLog,
        'Telegram adapter log': telegram.logs,
        'Slack adapter log': slack.logs,
        replies: [viaTelegram.reply.text, viaSlack.text],
        'what the Bot API received': telegram.fake.calls.map((c) => JSON.stringify(c.params)),
        // Slack's own API may receive the bot token (it is how the client authenticates).
        'what the Slack API received': slack.fake.calls.map((c) =>
          JSON.stringify({ ...c.params, token: undefined }),
        ),
      };
      // The failures were logged (so the check below looked at real lines)…
      expect(serviceLog.join('\n')).toMatch(/clip failed: E_INTERNAL/);
      expect(telegram.logs.join('\n')).toMatch(/400/);
      // …and no secret is in any of it.
      for (const [where, lines] of Object.entries(sources)) {
        const text = lines.join('\n');
        for (const secret of NEVER_PRINTED) {
          expect(text.includes(secret), `${where} shows a secret`).toBe(false);
        }
      }
    });
  });
});
