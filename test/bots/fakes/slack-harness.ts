/**
 * The Slack adapter driven for real: Bolt's HTTP receiver on a free port, its Web API client
 * pointed at the fake Slack API, and Slack's side played by signed POSTs to `/slack/events`.
 * {@link createSlackHarness} adapts that rig to the shared contract's {@link AdapterHarness}.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeAction, encodeAction } from '../../../bots/shared/actions.js';
import type { ChatService, Vote } from '../../../bots/shared/types.js';
import { type SlackRunningAdapter, startSlackBot } from '../../../bots/slack/index.js';
import { LISTENING_TEXT } from '../../../bots/slack/render.js';
import type { AdapterHarness, ObservedReply } from '../contract.js';
import { fakeSlackToken } from './fake-tokens.js';
import {
  FAKE_SLACK,
  type FakeSlackApi,
  type RecordedCall,
  startFakeSlackApi,
} from './slack-api.js';
import {
  blockActionsForm,
  eventCallback,
  fileShareMessage,
  postSigned,
  type SignedResponse,
  slashCommandForm,
} from './slack-events.js';

/** Test credentials (shaped like real ones, so the logger's token pattern is exercised too). */
export const TEST_BOT_TOKEN = fakeSlackToken('xoxb');
export const TEST_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** A running bot, its fake Slack, and what it logged. */
export interface SlackRig {
  readonly fake: FakeSlackApi;
  readonly bot: SlackRunningAdapter;
  /** "http://127.0.0.1:P/slack/events". */
  readonly eventsUrl: string;
  /** Every log line the adapter wrote. */
  readonly logs: string[];
  /** Sends a signed Events API request with this event. */
  sendEvent(event: Record<string, unknown>): Promise<SignedResponse>;
  /** Sends a signed form request (block_actions payload, slash command). */
  sendForm(body: string): Promise<SignedResponse>;
  close(): Promise<void>;
}

/** Starts the fake Slack API and the bot against it. */
export async function startSlackRig(service: ChatService): Promise<SlackRig> {
  const fake = await startFakeSlackApi(TEST_BOT_TOKEN);
  const logs: string[] = [];
  const bot = await startSlackBot(service, {
    botToken: TEST_BOT_TOKEN,
    signingSecret: TEST_SIGNING_SECRET,
    port: 0,
    apiUrl: fake.apiUrl,
    log: (level, line) => logs.push(`${level}: ${line}`),
  });
  const eventsUrl = `http://127.0.0.1:${bot.port}/slack/events`;
  return {
    fake,
    bot,
    eventsUrl,
    logs,
    sendEvent: (event) =>
      postSigned(eventsUrl, TEST_SIGNING_SECRET, eventCallback(event), 'application/json'),
    sendForm: (body) =>
      postSigned(eventsUrl, TEST_SIGNING_SECRET, body, 'application/x-www-form-urlencoded'),
    async close() {
      await bot.stop();
      await fake.close();
    },
  };
}

type Block = { type?: string; text?: { text?: string }; elements?: unknown[] };

/** Every text in a message: its `text` and the text of its blocks (sections, context, header). */
export function messageText(params: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof params.text === 'string') parts.push(params.text);
  const blocks = Array.isArray(params.blocks) ? (params.blocks as Block[]) : [];
  for (const block of blocks) {
    if (typeof block.text?.text === 'string') parts.push(block.text.text);
    if (block.type === 'context') {
      for (const el of (block.elements ?? []) as Block[]) {
        const t = (el as { text?: unknown }).text;
        if (typeof t === 'string') parts.push(t);
      }
    }
  }
  return parts.join('\n');
}

/** Result track ids, best first, read from the buttons' payloads (one per actions block). */
export function resultTrackIds(params: Record<string, unknown>): number[] {
  const blocks = Array.isArray(params.blocks) ? (params.blocks as Block[]) : [];
  const ids: number[] = [];
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    const first = (block.elements ?? [])[0] as { value?: string } | undefined;
    const action = first?.value === undefined ? undefined : decodeAction(first.value);
    if (action) ids.push(action.trackId);
  }
  return ids;
}

/** The final answer to an upload in thread `threadTs`, and where it lives. */
export interface ThreadAnswer extends ObservedReply {
  /** ts of the message carrying the answer. */
  readonly messageTs: string;
  /** Calls that made it, in order. */
  readonly calls: readonly RecordedCall[];
}

/**
 * Waits for the bot's finished answer in a thread: its first message there, and when that is
 * "listening…", the chat.update that replaces it; then, for results, the spectrogram upload.
 */
export async function awaitThreadAnswer(
  fake: FakeSlackApi,
  threadTs: string,
  fromSeq: number,
): Promise<ThreadAnswer> {
  const first = await fake.waitFor(
    (c) => c.method === 'chat.postMessage' && c.params.thread_ts === threadTs,
    { fromSeq, what: `a message in thread ${threadTs}` },
  );
  const firstTs = String((first.response as { ts?: unknown }).ts);
  let final = first;
  if (first.params.text === LISTENING_TEXT) {
    final = await fake.waitFor((c) => c.method === 'chat.update' && c.params.ts === firstTs, {
      fromSeq,
      what: `the update of ${firstTs}`,
    });
  }
  const ids = resultTrackIds(final.params);
  let image = false;
  if (ids.length > 0) {
    image = await fake
      .waitFor(
        (c) => c.method === 'files.completeUploadExternal' && c.params.thread_ts === threadTs,
        { fromSeq, timeoutMs: 10_000, what: 'the spectrogram upload' },
      )
      .then(
        () => true,
        () => false,
      );
  }
  const calls = fake.calls.slice(fromSeq);
  const texts = calls
    .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method))
    .filter((c) => c.params.thread_ts === threadTs || c === final)
    .map((c) => messageText(c.params));
  return {
    text: [...new Set(texts)].join('\n'),
    resultTrackIds: ids,
    image,
    messageTs: firstTs,
    calls,
  };
}

function fileTypeOf(fileName: string): string {
  return path.extname(fileName).slice(1).toLowerCase() || 'binary';
}

/** The contract harness over a {@link SlackRig}. */
export function createSlackHarness(rig: SlackRig): AdapterHarness {
  const { fake } = rig;
  /** Adds the bot's last log lines to a failure, so a timeout says why. */
  const withLog = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      const log = rig.logs.slice(-8).join('\n');
      throw new Error(`${error instanceof Error ? error.message : error}\nbot log:\n${log}`);
    });
  let last: { messageTs: string; threadTs: string } | undefined;
  // Each clip comes from another member of the channel: votes are kept per channel, and the
  // contract sends more clips in a minute than the service's per-user rate limit lets one user.
  let senders = 0;

  return {
    platform: 'slack',
    showsImages: true,
    async sendClip(filePath, options = {}) {
      const bytes = await readFile(filePath);
      const name = options.fileName ?? 'voice.ogg';
      const ts = fake.nextTs();
      const file = fake.addFile({
        bytes,
        name,
        mimetype: options.mimeType ?? 'audio/ogg',
        filetype: fileTypeOf(name),
        ...((options.kind ?? 'voice') === 'voice' ? { subtype: 'slack_audio' } : {}),
        share: { channel: FAKE_SLACK.channelId, ts },
      });
      const from = fake.calls.length;
      senders += 1;
      const user = `U0MEMBER${String(senders).padStart(3, '0')}`;
      const response = await rig.sendEvent(fileShareMessage({ file, ts, user }));
      if (response.status !== 200) throw new Error(`events endpoint answered ${response.status}`);
      const answer = await withLog(awaitThreadAnswer(fake, ts, from));
      if (answer.resultTrackIds.length > 0) last = { messageTs: answer.messageTs, threadTs: ts };
      return answer;
    },
    async press(trackId: number, vote: Vote) {
      if (!last) throw new Error('no results message to press a button on');
      if (!Number.isInteger(trackId)) throw new Error(`no track to press a button on: ${trackId}`);
      const payload = encodeAction({ vote, trackId });
      const from = fake.calls.length;
      const response = await rig.sendForm(
        blockActionsForm({
          actionId: payload,
          value: payload,
          messageTs: last.messageTs,
          threadTs: last.threadTs,
          responseUrl: fake.responseUrl(),
        }),
      );
      if (response.status !== 200) throw new Error(`events endpoint answered ${response.status}`);
      const threadTs = last.threadTs;
      const reply = await withLog(
        fake.waitFor(
          (c) =>
            c.method === 'chat.postEphemeral' ||
            c.method === 'respond' ||
            (c.method === 'chat.postMessage' && c.params.thread_ts === threadTs),
          { fromSeq: from, what: 'the answer to a button' },
        ),
      );
      const ids = resultTrackIds(reply.params);
      if (ids.length > 0) {
        last = { messageTs: String((reply.response as { ts?: unknown }).ts), threadTs };
      }
      return { text: messageText(reply.params), resultTrackIds: ids, image: false };
    },
    async command(name) {
      const from = fake.calls.length;
      const response = await rig.sendForm(
        slashCommandForm({ command: '/synesthete', text: name, responseUrl: fake.responseUrl() }),
      );
      if (response.status !== 200) throw new Error(`events endpoint answered ${response.status}`);
      const reply = await withLog(
        fake.waitFor((c) => c.method === 'respond', {
          fromSeq: from,
          what: `the answer to /synesthete ${name}`,
        }),
      );
      return { text: messageText(reply.params), resultTrackIds: [], image: false };
    },
    close: () => rig.close(),
  };
}
