/**
 * Drives the real Telegram adapter (grammY, long polling) against the fake Bot API the way a
 * user would: push an update, wait until the adapter reports it handled, and read what the bot
 * sent off the fake's call log. Used by the adapter tests (through the contract harness) and by
 * bench/telegram-reply.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Message } from 'grammy/types';
import { parseFile } from 'music-metadata';
import { decodeAction, encodeAction } from '../../../bots/shared/actions.js';
import type { ChatService, ClipKind, Vote } from '../../../bots/shared/types.js';
import {
  startTelegramBot,
  type TelegramAdapter,
  type TelegramBotOptions,
  type TelegramHandledEvent,
} from '../../../bots/telegram/index.js';
import { CLOUD_DOWNLOAD_LIMIT_BYTES } from '../../../bots/telegram/options.js';
import type { ObservedReply } from '../contract.js';
import {
  type FakeTelegramApi,
  type RecordedCall,
  startFakeTelegramApi,
  type UpdateBody,
} from './telegram-api.js';
import {
  callbackQueryUpdate,
  clipMessage,
  groupMember,
  messageUpdate,
  PRIVATE_SENDER,
  type Sender,
  type SentAs,
  textMessage,
} from './telegram-updates.js';

/** One update and everything the bot did about it. */
export interface Interaction {
  readonly updateId: number;
  /** `performance.now()` when the update was queued at the fake. */
  readonly pushedAt: number;
  readonly handled: TelegramHandledEvent;
  /** API calls recorded from the push to the adapter's "handled". */
  readonly calls: readonly RecordedCall[];
  readonly reply: ObservedReply;
}

/** The adapter, the fake, and ways to talk to the bot. */
export interface TelegramDriver {
  readonly fake: FakeTelegramApi;
  readonly adapter: TelegramAdapter;
  /** Lines the adapter logged. */
  readonly logs: string[];
  /** Queues an update and resolves when the adapter has handled it. */
  push(update: UpdateBody, timeoutMs?: number): Promise<Interaction>;
  /**
   * Sends a file the way a Telegram client does (voice note by default).
   * @param filePath - the file's bytes are served by the fake
   */
  sendClip(
    filePath: string,
    options?: { as?: SentAs; fileName?: string; mimeType?: string; announcedSize?: number },
  ): Promise<Interaction>;
  /** Presses a result's button on the last results message. */
  press(trackId: number, vote: Vote): Promise<Interaction>;
  /** Sends a text message ("/help", "/forget", "hello"). */
  text(text: string, extra?: Partial<Message>): Promise<Interaction>;
  close(): Promise<void>;
}

/**
 * Starts a fake Bot API and the adapter polling it.
 *
 * @param service - the chat service the adapter calls
 * @param options - adapter options to override (the token and apiRoot come from the fake);
 *   `chat: 'group'` sends everything to one group chat, each update from the next member
 *   (one conversation, many users: the per-user rate limit does not kick in)
 */
export async function startTelegramDriver(
  service: ChatService,
  options: Partial<TelegramBotOptions> & { chat?: 'private' | 'group' } = {},
): Promise<TelegramDriver> {
  const { chat = 'private', ...adapterOptions } = options;
  let members = 0;
  const sender = (): Sender => (chat === 'group' ? groupMember(members++) : PRIVATE_SENDER);
  const fake = await startFakeTelegramApi();
  const logs: string[] = [];
  const waiting = new Map<number, (event: TelegramHandledEvent) => void>();
  const early = new Map<number, TelegramHandledEvent>();
  let adapter: TelegramAdapter;
  try {
    adapter = await startTelegramBot(service, {
      pollingTimeoutS: 1,
      // The fake plays the public Bot API, with its 20 MB download limit.
      maxDownloadBytes: CLOUD_DOWNLOAD_LIMIT_BYTES,
      log: (line) => logs.push(line),
      ...adapterOptions,
      token: fake.token,
      apiRoot: fake.apiRoot,
      onHandled: (event) => {
        const resolve = waiting.get(event.updateId);
        if (resolve) resolve(event);
        else early.set(event.updateId, event);
        options.onHandled?.(event);
      },
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  let lastResults: Message | undefined;

  const push = async (update: UpdateBody, timeoutMs = 60_000): Promise<Interaction> => {
    const from = fake.calls.length;
    const pushedAt = performance.now();
    const updateId = fake.pushUpdate(update);
    const handled = await new Promise<TelegramHandledEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(updateId);
        reject(new Error(`the bot did not handle update ${updateId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = (event: TelegramHandledEvent) => {
        clearTimeout(timer);
        waiting.delete(updateId);
        resolve(event);
      };
      const already = early.get(updateId);
      if (already) finish(already);
      else waiting.set(updateId, finish);
    });
    const calls = fake.calls.slice(from);
    for (const call of calls) {
      if (call.method === 'sendMessage' && hasButtons(call.params)) {
        lastResults = call.result as Message;
      }
    }
    return { updateId, pushedAt, handled, calls, reply: observe(calls) };
  };

  return {
    fake,
    adapter,
    logs,
    push,
    async sendClip(filePath, clip = {}) {
      const bytes = new Uint8Array(await readFile(filePath));
      const as = clip.as ?? 'voice';
      const file = fake.addFile(bytes, {
        folder: as === 'voice' ? 'voice' : as === 'audio' ? 'music' : `${as}s`,
        ...(clip.announcedSize !== undefined ? { announcedSize: clip.announcedSize } : {}),
      });
      const durationS = await parseFile(filePath)
        .then((m) => m.format.duration ?? 0)
        .catch(() => 0);
      const message = clipMessage(
        file,
        as,
        {
          durationS,
          fileName: clip.fileName ?? path.basename(filePath),
          ...(clip.mimeType !== undefined ? { mimeType: clip.mimeType } : {}),
        },
        sender(),
      );
      return push(messageUpdate(message));
    },
    press(trackId, vote) {
      if (!lastResults) throw new Error('no results message to press a button on');
      const data = encodeAction({ vote, trackId });
      return push(callbackQueryUpdate(lastResults, data, sender().user));
    },
    text(text, extra) {
      return push(messageUpdate(textMessage(text, extra, sender())));
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/** Maps the contract's clip kinds to how a Telegram client sends them. */
export function sentAsFor(kind: ClipKind | undefined): SentAs {
  if (kind === 'audio' || kind === 'document' || kind === 'video') return kind;
  return 'voice';
}

/** What the user saw: texts (HTML stripped), result ids from the buttons, a photo or not. */
export function observe(calls: readonly RecordedCall[]): ObservedReply {
  const texts: string[] = [];
  let resultTrackIds: number[] = [];
  let image = false;
  for (const call of calls) {
    const p = call.params;
    if (call.method === 'sendMessage' || call.method === 'editMessageText') {
      const text = String(p.text ?? '');
      texts.push(p.parse_mode === 'HTML' ? stripHtml(text) : text);
      if (hasButtons(p)) resultTrackIds = trackIdsOf(p);
    } else if (call.method === 'answerCallbackQuery' && typeof p.text === 'string') {
      texts.push(p.text);
    } else if (call.method === 'sendPhoto') {
      image = true;
    }
  }
  return { text: texts.join('\n'), resultTrackIds, image };
}

function hasButtons(params: Readonly<Record<string, unknown>>): boolean {
  const markup = params.reply_markup as { inline_keyboard?: unknown[] } | undefined;
  return (markup?.inline_keyboard?.length ?? 0) > 0;
}

/** Track ids of a results keyboard, best first (one per row, read from the payloads). */
function trackIdsOf(params: Readonly<Record<string, unknown>>): number[] {
  const markup = params.reply_markup as {
    inline_keyboard: Array<Array<{ callback_data?: string }>>;
  };
  const ids: number[] = [];
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      const action = decodeAction(button.callback_data ?? '');
      if (action && !ids.includes(action.trackId)) ids.push(action.trackId);
    }
  }
  return ids;
}

function stripHtml(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}
