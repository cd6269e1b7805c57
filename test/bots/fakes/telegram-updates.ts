/**
 * Telegram updates shaped like the real ones (recorded from the Bot API's getUpdates: a private
 * chat, a voice note with `duration`, `mime_type: "audio/ogg"` and `file_size`; commands carry a
 * `bot_command` entity, which grammY's command matching needs).
 */
import type { Message, User } from 'grammy/types';
import type { FakeFile, UpdateBody } from './telegram-api.js';

/** The person talking to the bot in the tests. */
export const TEST_USER: User = {
  id: 5_550_001,
  is_bot: false,
  first_name: 'Ada',
  last_name: 'Lovelace',
  username: 'ada_listens',
  language_code: 'en',
};

/**
 * A voice update exactly as Telegram delivered one (ids replaced), for reference:
 * the fields the adapter reads are `voice.file_id`, `duration`, `mime_type` and `file_size`.
 */
export const RECORDED_VOICE_UPDATE = {
  update_id: 734_119_201,
  message: {
    message_id: 2_017,
    from: { ...TEST_USER },
    chat: {
      id: TEST_USER.id,
      first_name: 'Ada',
      last_name: 'Lovelace',
      username: 'ada_listens',
      type: 'private',
    },
    date: 1_760_000_000,
    voice: {
      duration: 15,
      mime_type: 'audio/ogg',
      file_id: 'AwACAgQAAxkBAAIH4WeFfS1mZ3Rl0Yq9UwABHn0c2Q8wAAJ0GAACu4kxUcdA8WjYq2ZqNgQ',
      file_unique_id: 'AgADdBgAArjJMVE',
      file_size: 45_873,
    },
  },
} as const;

/** A group chat the bot is a member of (group ids are negative). */
export const TEST_GROUP_ID = -4_100_200_300;

/** Who sends a message, and in which chat (their private chat with the bot by default). */
export interface Sender {
  readonly user: User;
  readonly chatId: number;
}

/** {@link TEST_USER} in their private chat with the bot. */
export const PRIVATE_SENDER: Sender = { user: TEST_USER, chatId: TEST_USER.id };

/**
 * The n-th member of {@link TEST_GROUP_ID} (n ≥ 0); different members have different user ids,
 * the conversation (the group) is the same.
 */
export function groupMember(n: number): Sender {
  return {
    user: {
      ...TEST_USER,
      id: TEST_USER.id + 1 + n,
      first_name: `Member ${n}`,
      username: `member_${n}`,
    },
    chatId: TEST_GROUP_ID,
  };
}

let nextMessageId = 10_000;

/** A fresh id for a message the user sends. */
export function userMessageId(): number {
  return nextMessageId++;
}

/** Fields every message has. */
function base(sender: Sender = PRIVATE_SENDER) {
  const { user, chatId } = sender;
  return {
    message_id: userMessageId(),
    from: user,
    chat:
      chatId === user.id
        ? { id: chatId, type: 'private' as const, first_name: user.first_name }
        : { id: chatId, type: 'group' as const, title: 'Music nerds' },
    date: Math.floor(Date.now() / 1000),
  };
}

/** How a clip is sent: a voice note, an audio file, a document or a video. */
export type SentAs = 'voice' | 'audio' | 'document' | 'video';

/**
 * A message carrying a stored file.
 *
 * @param file - from the fake's addFile
 * @param as - what the client sent it as
 * @param meta - duration (s), file name and MIME type as Telegram would announce them
 */
export function clipMessage(
  file: FakeFile,
  as: SentAs,
  meta: { durationS?: number; fileName?: string; mimeType?: string } = {},
  sender: Sender = PRIVATE_SENDER,
): Message {
  const ids = { file_id: file.file_id, file_unique_id: file.file_unique_id };
  const size = { file_size: file.file_size };
  const duration = Math.round(meta.durationS ?? 0);
  const m = base(sender);
  switch (as) {
    case 'voice':
      return {
        ...m,
        voice: { ...ids, duration, mime_type: meta.mimeType ?? 'audio/ogg', ...size },
      };
    case 'audio':
      return {
        ...m,
        audio: {
          ...ids,
          duration,
          file_name: meta.fileName ?? 'song.mp3',
          mime_type: meta.mimeType ?? 'audio/mpeg',
          ...size,
        },
      };
    case 'document':
      return {
        ...m,
        document: {
          ...ids,
          file_name: meta.fileName ?? 'song.ogg',
          mime_type: meta.mimeType ?? 'audio/ogg',
          ...size,
        },
      };
    case 'video':
      return {
        ...m,
        video: {
          ...ids,
          width: 640,
          height: 360,
          duration,
          mime_type: meta.mimeType ?? 'video/mp4',
          ...size,
        },
      };
  }
}

/** A message update. */
export function messageUpdate(message: Message): UpdateBody {
  return { message } as UpdateBody;
}

/** A text message (a command when it starts with "/": then it carries the entity). */
export function textMessage(
  text: string,
  extra: Partial<Message> = {},
  sender: Sender = PRIVATE_SENDER,
): Message {
  const command = text.match(/^\/\S+/)?.[0];
  return {
    ...base(sender),
    text,
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
    ...extra,
  } as Message;
}

/** A sticker message (not audio). */
export function stickerMessage(): Message {
  return {
    ...base(),
    sticker: {
      file_id: 'CAACAgIAAxkBAAEBsticker',
      file_unique_id: 'AgADsticker',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    },
  } as Message;
}

/**
 * A press on an inline button of a message the bot sent.
 *
 * @param botMessage - the message as the fake returned it from sendMessage
 * @param data - the button's callback data
 * @param from - who pressed it
 */
export function callbackQueryUpdate(
  botMessage: Message,
  data: string,
  from: User = TEST_USER,
): UpdateBody {
  return {
    callback_query: {
      id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      from,
      message: botMessage,
      chat_instance: '-4242424242424242424',
      data,
    },
  };
}
