/**
 * What the bot does with each update: clips (voice, audio, video, audio documents) and
 * `/similar` replies go to the chat service in a background task with "typing…" shown at once;
 * `/similar 12` asks for a catalogue track's neighbours; filters (`genre:jazz`, `--max-duration
 * 4:00`, see bots/shared/chat-filters.ts) after `/similar` or in a clip's caption narrow the
 * results; result buttons become votes, and "🗺 Show on the map" (or `/map`) sends the catalogue
 * map with the answer marked; `/start`, `/help` and `/forget` answer from the service; anything
 * else in a private chat gets a short hint.
 */
import { type Api, Composer, type Context, InputFile } from 'grammy';
import type { MaybeInaccessibleMessage, Message } from 'grammy/types';
import { decodeAction, decodeMapAction, type VoteAction } from '../shared/actions.js';
import { parseFilterText } from '../shared/chat-filters.js';
import type { ChatAnswer, ChatService, ClipInput, PictureAnswer } from '../shared/types.js';
import { downloadTelegramFile, type TelegramFileAccess } from './download.js';
import { describeError, type LogLine } from './log.js';
import type { TelegramHandledEvent } from './options.js';
import {
  conversationId,
  findAttachment,
  type TelegramAttachment,
  toClipInput,
  topicOf,
  userId,
} from './parse.js';
import { renderAnswer } from './render.js';
import { type ReplyTarget, sendReply } from './reply.js';
import type { TaskSet } from './tasks.js';
import * as texts from './texts.js';
import { startTyping } from './typing.js';

/** What the handlers need from the wiring. */
export interface TelegramHandlerDeps {
  readonly service: ChatService;
  /** Token, API root and download cap (the API client comes from each context). */
  readonly files: Omit<TelegramFileAccess, 'api'>;
  readonly log: LogLine;
  readonly tasks: TaskSet;
  readonly typingIntervalMs: number;
  readonly onHandled: (event: TelegramHandledEvent) => void;
}

type Done = (
  kind: TelegramHandledEvent['kind'],
  answer?: ChatAnswer['kind'] | PictureAnswer['kind'],
) => void;

/**
 * Builds the bot's middleware.
 *
 * @param deps - the service, download access, log and background task set
 * @returns a composer to `bot.use()`
 */
export function telegramHandlers(deps: TelegramHandlerDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const { service } = deps;

  composer.command(['start', 'help'], async (ctx) => {
    const done = clock(ctx, deps);
    await ctx.reply(service.helpText('telegram'), replyOptions(ctx.msg));
    done('command');
  });

  composer.command('forget', async (ctx) => {
    const done = clock(ctx, deps);
    const text = await service.forget(conversationId(ctx.chat.id, topicOf(ctx.msg)));
    await ctx.reply(text, replyOptions(ctx.msg));
    done('command');
  });

  composer.command('mix', async (ctx) => {
    const done = clock(ctx, deps);
    const answer = service.mix
      ? await service.mix(conversationId(ctx.chat.id, topicOf(ctx.msg)))
      : undefined;
    if (answer) await sendReply(ctx.api, targetOf(ctx.msg), renderAnswer(answer), deps.log);
    done('command', answer?.kind);
  });

  composer.command('similar', async (ctx) => {
    const done = clock(ctx, deps);
    const parsed = parseFilterText(typeof ctx.match === 'string' ? ctx.match : '');
    if (parsed.error) {
      await ctx.reply(parsed.error, replyOptions(ctx.msg));
      done('hint');
      return;
    }
    const original = ctx.msg.reply_to_message;
    const found = original ? findAttachment(original) : undefined;
    if (original && found) {
      // The results quote the clip they are about.
      const target = { ...targetOf(ctx.msg), replyTo: original.message_id };
      answerClip(ctx, deps, found, target, done, parsed.filter);
      return;
    }
    const trackId = parsed.words.find((w) => /^\d{1,12}$/.test(w));
    const { similarTrack } = service;
    if (trackId !== undefined && similarTrack) {
      const target = targetOf(ctx.msg);
      const conversation = conversationId(target.chatId, target.threadId);
      const api = ctx.api;
      deps.tasks.run(
        async () => {
          const answer = await similarTrack(conversation, Number(trackId), parsed.filter);
          await sendReply(api, target, renderAnswer(answer), deps.log);
          done('command', answer.kind);
        },
        (error) => apologise(api, deps, target, error, done),
      );
      return;
    }
    await ctx.reply(texts.HINT_SIMILAR, replyOptions(ctx.msg));
    done('hint');
  });

  composer.command('map', async (ctx) => {
    const done = clock(ctx, deps);
    answerMap(ctx.api, deps, targetOf(ctx.msg), undefined, done);
  });

  composer.on('callback_query:data', async (ctx) => {
    const done = clock(ctx, deps);
    const answerId = decodeMapAction(ctx.callbackQuery.data);
    if (answerId !== undefined) {
      const message = ctx.callbackQuery.message;
      const chatId = message?.chat.id ?? ctx.callbackQuery.from.id;
      const threadId = message && message.date !== 0 ? topicOf(message as Message) : undefined;
      await ctx.answerCallbackQuery({ text: texts.DRAWING_MAP }).catch(() => {});
      const target: ReplyTarget = {
        chatId,
        ...(threadId !== undefined ? { threadId } : {}),
        ...(message ? { replyTo: message.message_id } : {}),
      };
      answerMap(ctx.api, deps, target, answerId || undefined, done);
      return;
    }
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action) {
      await ctx.answerCallbackQuery({ text: texts.BUTTON_EXPIRED });
      done('ignored');
      return;
    }
    answerVote(ctx, deps, action, ctx.callbackQuery.message, done);
  });

  composer.on('message', async (ctx) => {
    const done = clock(ctx, deps);
    const found = findAttachment(ctx.msg);
    if (found) {
      // A caption may narrow the results ("genre:jazz"); one that is not a filter is ignored.
      const caption = ctx.msg.caption ? parseFilterText(ctx.msg.caption) : undefined;
      answerClip(ctx, deps, found, targetOf(ctx.msg), done, caption?.filter);
      return;
    }
    // In groups the bot only hints when spoken to; a private chat always gets an answer.
    if (ctx.chat.type !== 'private') {
      done('ignored');
      return;
    }
    const hint = ctx.msg.document ? texts.HINT_NOT_AUDIO : texts.HINT_SEND_AUDIO;
    await ctx.reply(hint, replyOptions(ctx.msg));
    done('hint');
  });

  composer.use((ctx) => {
    clock(ctx, deps)('ignored');
  });
  return composer;
}

/** Sends the catalogue map (or why there is none) in a background task. */
function answerMap(
  api: Api,
  deps: TelegramHandlerDeps,
  target: ReplyTarget,
  answerId: string | undefined,
  done: Done,
): void {
  const { mapPicture } = deps.service;
  deps.tasks.run(
    async () => {
      const conversation = conversationId(target.chatId, target.threadId);
      const picture: PictureAnswer = mapPicture
        ? await mapPicture(conversation, answerId)
        : { kind: 'error', text: texts.SOMETHING_WENT_WRONG };
      if (picture.kind === 'picture') {
        await api.sendPhoto(target.chatId, new InputFile(picture.png, picture.fileName), {
          caption: picture.caption,
          ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
          ...(target.replyTo !== undefined
            ? {
                reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true },
              }
            : {}),
        });
      } else {
        await sendReply(api, target, { text: picture.text, html: false }, deps.log);
      }
      done('map', picture.kind);
    },
    (error) => apologise(api, deps, target, error, done),
  );
}

/** Sends the clip to the service in a background task, with "typing…" until the reply. */
function answerClip(
  ctx: Context,
  deps: TelegramHandlerDeps,
  found: TelegramAttachment,
  target: ReplyTarget,
  done: Done,
  filter?: ClipInput['filter'],
): void {
  const from = ctx.from;
  const where = {
    conversation: conversationId(target.chatId, target.threadId),
    user: userId(from?.id ?? target.chatId),
  };
  const api = ctx.api;
  deps.tasks.run(
    async () => {
      const typing = startTyping(api, target.chatId, target.threadId, deps.typingIntervalMs);
      let answer: ChatAnswer;
      try {
        if (found.byteLength !== undefined && found.byteLength > deps.files.maxBytes) {
          // Telegram would refuse the download anyway (or we would waste it): no getFile.
          answer = {
            kind: 'rejected',
            reason: 'too-big',
            text: texts.tooBigText(found.byteLength, deps.files.maxBytes),
          };
        } else {
          const read = () => downloadTelegramFile({ ...deps.files, api }, found.fileId);
          const clip = toClipInput(found, where, read);
          answer = await deps.service.handleClip(filter ? { ...clip, filter } : clip);
        }
      } finally {
        typing.stop();
      }
      await sendReply(api, target, renderAnswer(answer), deps.log);
      done('clip', answer.kind);
    },
    (error) => apologise(api, deps, target, error, done),
  );
}

/** Records a button press; "more like this" answers with new results in the background. */
function answerVote(
  ctx: Context & { callbackQuery: { id: string } },
  deps: TelegramHandlerDeps,
  action: VoteAction,
  message: MaybeInaccessibleMessage | undefined,
  done: Done,
): void {
  const chatId = message?.chat.id ?? ctx.callbackQuery.from.id;
  const threadId = message && message.date !== 0 ? topicOf(message as Message) : undefined;
  const target: ReplyTarget = {
    chatId,
    ...(threadId !== undefined ? { threadId } : {}),
    ...(message ? { replyTo: message.message_id } : {}),
  };
  const conversation = conversationId(chatId, threadId);
  const user = userId(ctx.callbackQuery.from.id);
  const api = ctx.api;
  const queryId = ctx.callbackQuery.id;
  deps.tasks.run(
    async () => {
      let answer: ChatAnswer;
      if (action.vote === 'more') {
        // Stop the button's spinner now; the new results follow.
        await api.answerCallbackQuery(queryId, { text: texts.LOOKING_FOR_MORE }).catch(() => {});
        const typing = startTyping(api, chatId, threadId, deps.typingIntervalMs);
        try {
          answer = await deps.service.vote(conversation, user, action.trackId, action.vote);
        } finally {
          typing.stop();
        }
      } else {
        answer = await deps.service.vote(conversation, user, action.trackId, action.vote);
        const toast = answer.kind === 'results' ? undefined : answer.text;
        await api.answerCallbackQuery(queryId, toast ? { text: toast } : undefined).catch(() => {});
      }
      await sendReply(api, target, renderAnswer(answer), deps.log);
      done('vote', answer.kind);
    },
    (error) => apologise(api, deps, target, error, done),
  );
}

/** Logs a failed background task and tells the user politely (no details). */
async function apologise(
  api: Api,
  deps: TelegramHandlerDeps,
  target: ReplyTarget,
  error: unknown,
  done: Done,
): Promise<void> {
  deps.log(`telegram: reply to chat ${target.chatId} failed: ${describeError(error)}`);
  try {
    await sendReply(api, target, { text: texts.SOMETHING_WENT_WRONG, html: false }, deps.log);
  } catch (second) {
    deps.log(`telegram: could not send the apology either: ${describeError(second)}`);
  }
  done('error');
}

/** Reply options that quote `message` in its chat and topic. */
function replyOptions(message: Message) {
  const threadId = topicOf(message);
  return {
    ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  };
}

/** Where the answer to `message` goes. */
function targetOf(message: Message): ReplyTarget {
  const threadId = topicOf(message);
  return {
    chatId: message.chat.id,
    ...(threadId !== undefined ? { threadId } : {}),
    replyTo: message.message_id,
  };
}

/** Starts timing an update; the returned function reports it handled (once). */
function clock(ctx: Context, deps: TelegramHandlerDeps): Done {
  const started = performance.now();
  let reported = false;
  return (kind, answer) => {
    if (reported) return;
    reported = true;
    const ms = performance.now() - started;
    try {
      deps.onHandled({
        updateId: ctx.update.update_id,
        kind,
        ...(answer !== undefined ? { answer } : {}),
        ms,
      });
    } catch (error) {
      deps.log(`telegram: onHandled threw: ${describeError(error)}`);
    }
  };
}
