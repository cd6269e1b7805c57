/**
 * Sends a rendered {@link TelegramReply}: the message (as a reply to the user's message, in
 * the same forum topic), then the spectrogram photo when there is one. A failed photo is
 * logged and skipped; the results matter more.
 */
import { type Api, InputFile } from 'grammy';
import { describeError } from './log.js';
import type { TelegramReply } from './render.js';

/** Where a reply goes. */
export interface ReplyTarget {
  readonly chatId: number;
  /** Forum topic, when the message came from one. */
  readonly threadId?: number;
  /** The message answered (the voice note, the command, the results a button was on). */
  readonly replyTo?: number;
}

/**
 * Sends a reply.
 *
 * @param api - grammY's API client
 * @param target - chat, topic and the message replied to
 * @param reply - from render.ts
 * @param log - where a failed photo is reported
 * @throws GrammyError/HttpError when the message itself cannot be sent
 */
export async function sendReply(
  api: Pick<Api, 'sendMessage' | 'sendPhoto'>,
  target: ReplyTarget,
  reply: TelegramReply,
  log: (line: string) => void,
): Promise<void> {
  const common = {
    ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
    ...(target.replyTo !== undefined
      ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } }
      : {}),
  };
  await api.sendMessage(target.chatId, reply.text, {
    ...common,
    ...(reply.html ? { parse_mode: 'HTML' as const } : {}),
    ...(reply.keyboard ? { reply_markup: reply.keyboard } : {}),
    link_preview_options: { is_disabled: true },
  });
  if (reply.photo) {
    try {
      await api.sendPhoto(target.chatId, new InputFile(reply.photo, 'spectrogram.png'), {
        ...common,
        ...(reply.photoCaption ? { caption: reply.photoCaption } : {}),
      });
    } catch (error) {
      log(`telegram: could not send the spectrogram: ${describeError(error)}`);
    }
  }
}
