/**
 * What the Slack bot does on each incoming thing, registered on a Bolt {@link App}:
 *
 * - an upload (`message` with files, `app_mention` with files, `file_shared`): post
 *   "🎧 Listening…" in the upload's thread at once, ask the chat service, then replace that
 *   message (chat.update) with the answer and upload the spectrogram picture to the thread. Each
 *   file is answered once, however many of those events Slack sends for it. Files that are not
 *   audio are answered in direct messages and when the bot is mentioned, and ignored in channels
 *   (people share screenshots there);
 * - a result button (👍 / 👎 / More like this): ack at once, record the vote; "more like this"
 *   answers in the thread, a vote is confirmed to the voter only (ephemeral);
 * - "🗺 Show on the map" under an answer, and `/synesthete map`: the catalogue map with the answer
 *   marked, uploaded to the thread (or the channel);
 * - `/synesthete help|forget` and "@synesthete help|forget": the help text, or clear this
 *   channel's votes; "@synesthete similar" in a clip's thread searches with that clip again
 *   (slash commands carry no thread, so `/synesthete similar` explains this, unless it names a
 *   catalogue track: `/synesthete similar 12`). Filters — `genre:jazz`, `not-genre:rock`,
 *   `min-duration:1:30`, `max-duration:5:00` (bots/shared/chat-filters.ts) — follow "similar", or
 *   ride in the text of an upload's message.
 *
 * Events are acknowledged by Bolt before these run; actions and commands call `ack()` first.
 * Every failure is logged (secrets redacted by the logger) and answered politely; none escapes.
 */
import type { App, BlockAction, ButtonAction, Logger } from '@slack/bolt';
import { decodeAction, decodeMapAction } from '../shared/actions.js';
import { parseFilterText } from '../shared/chat-filters.js';
import { MESSAGES } from '../shared/messages.js';
import type { ChatAnswer, ChatService, ClipInput, PictureAnswer } from '../shared/types.js';
import type { SlackDownload } from './download.js';
import {
  fileToClip,
  isAudioLike,
  needsFileInfo,
  parseMention,
  parseSlackFile,
  parseUpload,
  type SlackFile,
  type SlackPlace,
  sharedThreadTs,
} from './parse.js';
import { RecentKeys } from './recent-keys.js';
import { LISTENING_TEXT, MAP_ACTION_ID, renderAnswer } from './render.js';

/** The Web API client Bolt hands to listeners. */
type SlackClient = App['client'];

/** What the handlers need. */
export interface SlackHandlerDeps {
  readonly service: ChatService;
  readonly download: SlackDownload;
  readonly logger: Logger;
  /** The slash command, e.g. "/synesthete". */
  readonly command: string;
}

/** Handle on the registered handlers. */
export interface SlackHandlers {
  /** Resolves when every answer in progress has been sent. */
  idle(): Promise<void>;
}

/** At most this many files of one message are answered. */
const MAX_FILES_PER_MESSAGE = 3;

/** How to search again with an earlier clip, in Slack. */
const SIMILAR_HOWTO =
  'To search again with an earlier clip, mention me in its thread: "@synesthete similar". To search with a new one, upload it in a channel I am in, mention me with it, or send it to me directly. For a catalogue track\'s neighbours: "/synesthete similar 12". Filters follow, e.g. "similar genre:jazz max-duration:5:00", or go in the upload\'s message.';

/** The Slack spelling of the shared texts' commands. */
function slackCommands(text: string, command: string): string {
  return text.replaceAll('(/forget', `(${command} forget`);
}

/** The text after its first word ("similar genre:jazz" → "genre:jazz"). */
function afterFirstWord(text: string): string {
  return text.trim().replace(/^\S+\s*/, '');
}

/**
 * The filter in an upload's message ("genre:jazz max-duration:4:00"); undefined when it holds
 * none or one that does not read (the clip is then answered unfiltered).
 */
function uploadFilter(text: string | undefined): ClipInput['filter'] {
  if (!text) return undefined;
  const parsed = parseFilterText(text.replace(/<@[^>]+>/g, ' '));
  return parsed.error ? undefined : parsed.filter;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Registers the bot's listeners on `app`.
 *
 * @returns a handle whose `idle()` waits for answers in progress (used by stop())
 */
export function registerSlackHandlers(app: App, deps: SlackHandlerDeps): SlackHandlers {
  const { service, download, logger, command } = deps;
  const recent = new RecentKeys();
  const inFlight = new Set<Promise<void>>();

  /** Runs `work`, keeping it visible to idle() and logging what it throws. */
  const track = async (what: string, work: () => Promise<void>): Promise<void> => {
    const job = work().catch((error: unknown) => {
      logger.error(`${what} failed: ${errorText(error)}`);
    });
    inFlight.add(job);
    try {
      await job;
    } finally {
      inFlight.delete(job);
    }
  };

  /** Posts a message in the place's thread. */
  const post = async (client: SlackClient, place: SlackPlace, text: string) => {
    await client.chat.postMessage({
      channel: place.channel,
      text,
      ...(place.threadTs === undefined ? {} : { thread_ts: place.threadTs }),
    });
  };

  /** Uploads the spectrogram picture to the thread; a failure is logged, not shown. */
  const uploadSpectrogram = async (client: SlackClient, place: SlackPlace, png: Uint8Array) => {
    try {
      const picture = {
        file: Buffer.from(png.buffer, png.byteOffset, png.byteLength),
        filename: 'spectrogram.png',
        title: 'What I heard (log-mel spectrogram)',
        alt_text: 'Log-mel spectrogram of your clip: time left to right, pitch bottom to top',
      };
      await client.files.uploadV2(
        place.threadTs === undefined
          ? { ...picture, channel_id: place.channel }
          : { ...picture, channel_id: place.channel, thread_ts: place.threadTs },
      );
    } catch (error) {
      logger.warn(
        `spectrogram upload failed (is the files:write scope granted?): ${errorText(error)}`,
      );
    }
  };

  /** Uploads the map picture to the thread (or the channel); false when the upload failed. */
  const uploadMap = async (
    client: SlackClient,
    place: SlackPlace,
    picture: Extract<PictureAnswer, { kind: 'picture' }>,
  ): Promise<boolean> => {
    try {
      const file = {
        file: Buffer.from(picture.png.buffer, picture.png.byteOffset, picture.png.byteLength),
        filename: picture.fileName,
        title: 'Catalogue map',
        alt_text: picture.alt,
        initial_comment: picture.caption,
      };
      await client.files.uploadV2(
        place.threadTs === undefined
          ? { ...file, channel_id: place.channel }
          : { ...file, channel_id: place.channel, thread_ts: place.threadTs },
      );
      return true;
    } catch (error) {
      logger.warn(`map upload failed (is the files:write scope granted?): ${errorText(error)}`);
      return false;
    }
  };

  /** Sends the map with an answer of the channel marked, or says why there is none. */
  const sendMap = async (client: SlackClient, place: SlackPlace, answerId?: string) => {
    const picture: PictureAnswer = service.mapPicture
      ? await service.mapPicture(place.channel, answerId)
      : { kind: 'error', text: MESSAGES.mapUnavailable };
    if (picture.kind === 'picture' && (await uploadMap(client, place, picture))) return;
    await post(client, place, picture.kind === 'picture' ? MESSAGES.error : picture.text);
  };

  /** Sends an answer: replaces the "listening" message when there is one, else posts. */
  const sendAnswer = async (
    client: SlackClient,
    place: SlackPlace,
    answer: ChatAnswer,
    replaceTs: string | undefined,
  ) => {
    const rendered = renderAnswer(answer);
    const message = { text: slackCommands(rendered.text, command), blocks: rendered.blocks };
    if (replaceTs !== undefined) {
      await client.chat.update({ channel: place.channel, ts: replaceTs, ...message });
    } else {
      await client.chat.postMessage({
        channel: place.channel,
        ...(place.threadTs === undefined ? {} : { thread_ts: place.threadTs }),
        ...message,
      });
    }
  };

  /** Answers one file: listening message, service, answer, picture. */
  const answerFile = async (
    client: SlackClient,
    place: SlackPlace,
    file: SlackFile,
    filter?: ClipInput['filter'],
  ) => {
    const audio = isAudioLike(file);
    let listeningTs: string | undefined;
    if (audio) {
      const posted = await client.chat.postMessage({
        channel: place.channel,
        text: LISTENING_TEXT,
        ...(place.threadTs === undefined ? {} : { thread_ts: place.threadTs }),
      });
      listeningTs = posted.ts;
    }
    let answer: ChatAnswer;
    try {
      const clip = fileToClip(file, place.channel, place.user, download);
      answer = await service.handleClip(filter ? { ...clip, filter } : clip);
    } catch (error) {
      logger.error(`chat service threw: ${errorText(error)}`);
      answer = { kind: 'error', text: MESSAGES.error };
    }
    await sendAnswer(client, place, answer, listeningTs);
    if (answer.kind === 'results' && answer.spectrogramPng) {
      await uploadSpectrogram(client, place, answer.spectrogramPng);
    }
  };

  /** Completes a stub file object with files.info. */
  const complete = async (client: SlackClient, file: SlackFile): Promise<SlackFile> => {
    if (!needsFileInfo(file)) return file;
    const info = await client.files.info({ file: file.id });
    return parseSlackFile(info.file) ?? file;
  };

  /**
   * Answers the files of an upload. Each file is claimed before anything is awaited, so the
   * same file arriving through another event is skipped.
   *
   * @param mentioned - the user addressed the bot (then non-audio files are answered too)
   */
  const answerUpload = async (
    client: SlackClient,
    place: SlackPlace,
    files: readonly SlackFile[],
    mentioned: boolean,
    filter?: ClipInput['filter'],
  ) => {
    const chosen: SlackFile[] = [];
    for (const file of files.slice(0, MAX_FILES_PER_MESSAGE)) {
      // A stub may turn out to be audio: claim it, decide after files.info.
      const answerable = needsFileInfo(file) || isAudioLike(file) || place.direct || mentioned;
      if (answerable && recent.claim(`file:${file.id}`)) chosen.push(file);
    }
    for (const stub of chosen) {
      let file: SlackFile;
      try {
        file = await complete(client, stub);
      } catch (error) {
        recent.release(`file:${stub.id}`);
        logger.warn(
          `files.info failed for ${stub.id} (is files:read granted?): ${errorText(error)}`,
        );
        continue;
      }
      if (!isAudioLike(file) && !place.direct && !mentioned) {
        recent.release(`file:${file.id}`);
        continue;
      }
      try {
        await answerFile(client, place, file, filter);
      } catch (error) {
        logger.error(`answering ${file.id} failed: ${errorText(error)}`);
        await post(client, place, MESSAGES.error).catch(() => {});
      }
    }
  };

  /** "@synesthete similar" in a thread: answers the thread's first message's audio again. */
  const answerThreadParent = async (
    client: SlackClient,
    place: SlackPlace,
    threadTs: string | undefined,
    filter?: ClipInput['filter'],
  ) => {
    let parent: SlackFile | undefined;
    if (threadTs !== undefined) {
      const replies = await client.conversations.replies({
        channel: place.channel,
        ts: threadTs,
        limit: 1,
        inclusive: true,
      });
      const first = replies.messages?.[0];
      const upload = parseUpload({ ...first, channel: place.channel });
      for (const file of upload?.files ?? []) {
        const full = await complete(client, file);
        if (isAudioLike(full)) {
          parent = full;
          break;
        }
      }
    }
    if (parent) await answerFile(client, place, parent, filter);
    else await post(client, place, SIMILAR_HOWTO);
  };

  /**
   * True the first time an Events API event id is seen, by this process and then by every instance
   * sharing the service's storage (Slack retries unacknowledged events, and behind a load balancer a
   * retry may reach another instance).
   */
  const firstDelivery = async (body: unknown): Promise<boolean> => {
    const id = (body as { event_id?: unknown }).event_id;
    if (typeof id !== 'string') return true;
    return recent.claim(`event:${id}`) && (await service.claimOnce(`slack:event:${id}`, 3600));
  };

  app.event('message', async ({ event, body, client, context }) => {
    if (!(await firstDelivery(body))) return;
    const upload = parseUpload(event);
    if (!upload) return;
    const text = (event as { text?: unknown }).text;
    const mentioned =
      typeof text === 'string' && context.botUserId !== undefined
        ? text.includes(`<@${context.botUserId}>`)
        : false;
    const filter = typeof text === 'string' ? uploadFilter(text) : undefined;
    await track('message upload', () =>
      answerUpload(client, upload, upload.files, mentioned, filter),
    );
  });

  app.event('app_mention', async ({ event, body, client }) => {
    if (!(await firstDelivery(body))) return;
    const upload = parseUpload(event);
    if (upload) {
      const filter = uploadFilter(event.text);
      await track('mention upload', () => answerUpload(client, upload, upload.files, true, filter));
      return;
    }
    const place: SlackPlace = {
      channel: event.channel,
      threadTs: event.thread_ts ?? event.ts,
      user: event.user ?? '',
      direct: false,
    };
    await track('mention', async () => {
      const request = parseMention(event.text);
      if (request === 'similar') {
        const parsed = parseFilterText(afterFirstWord(event.text.replace(/<@[^>]+>/g, ' ')));
        if (parsed.error) await post(client, place, parsed.error);
        else await answerThreadParent(client, place, event.thread_ts, parsed.filter);
        return;
      }
      if (request === 'map') {
        await sendMap(client, place);
        return;
      }
      const reply =
        request === 'forget'
          ? await service.forget(place.channel)
          : slackCommands(service.helpText('slack'), command);
      await post(client, place, reply);
    });
  });

  app.event('file_shared', async ({ event, body, client, context }) => {
    if (!(await firstDelivery(body))) return;
    if (event.user_id === context.botUserId) return;
    // Another event (the message itself) may already have brought this file.
    if (recent.has(`file:${event.file_id}`)) return;
    await track('file_shared', async () => {
      const info = await client.files.info({ file: event.file_id });
      const file = parseSlackFile(info.file);
      if (!file) return;
      const place: SlackPlace = {
        channel: event.channel_id,
        threadTs: sharedThreadTs(file, event.channel_id),
        user: event.user_id,
        direct: event.channel_id.startsWith('D'),
      };
      await answerUpload(client, place, [file], false);
    });
  });

  app.action<BlockAction<ButtonAction>>(/^v:/, async ({ ack, body, action, client, respond }) => {
    await ack();
    await track('button', async () => {
      const decoded = decodeAction(action.value ?? action.action_id);
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (!decoded || typeof channel !== 'string') return;
      const answer = await service.vote(channel, body.user.id, decoded.trackId, decoded.vote);
      const message = body.message as { ts?: string; thread_ts?: string } | undefined;
      const place: SlackPlace = {
        channel,
        threadTs: message?.thread_ts ?? message?.ts,
        user: body.user.id,
        direct: channel.startsWith('D'),
      };
      if (answer.kind === 'results') {
        await sendAnswer(client, place, answer, undefined);
        return;
      }
      const text = slackCommands(renderAnswer(answer).text, command);
      try {
        await client.chat.postEphemeral({
          channel,
          user: body.user.id,
          text,
          ...(place.threadTs === undefined ? {} : { thread_ts: place.threadTs }),
        });
      } catch {
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      }
    });
  });

  app.action<BlockAction<ButtonAction>>(MAP_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    await track('map button', async () => {
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (typeof channel !== 'string') return;
      const message = body.message as { ts?: string; thread_ts?: string } | undefined;
      const place: SlackPlace = {
        channel,
        threadTs: message?.thread_ts ?? message?.ts,
        user: body.user.id,
        direct: channel.startsWith('D'),
      };
      await sendMap(client, place, decodeMapAction(action.value ?? '') || undefined);
    });
  });

  app.command(command, async ({ ack, command: request, respond, client }) => {
    await ack();
    await track('command', async () => {
      const word = request.text.trim().toLowerCase().split(/\s+/)[0] ?? '';
      let text: string;
      if (word === 'forget' || word === 'reset') {
        text = await service.forget(request.channel_id);
      } else if (word === 'similar') {
        const parsed = parseFilterText(afterFirstWord(request.text));
        const trackId = parsed.words.find((w) => /^\d{1,12}$/.test(w));
        if (parsed.error) {
          text = parsed.error;
        } else if (trackId !== undefined && service.similarTrack) {
          const answer = await service.similarTrack(
            request.channel_id,
            Number(trackId),
            parsed.filter,
          );
          const message = renderAnswer(answer);
          await respond({
            response_type: answer.kind === 'results' ? 'in_channel' : 'ephemeral',
            text: slackCommands(message.text, command),
            blocks: message.blocks,
          });
          return;
        } else {
          text = SIMILAR_HOWTO;
        }
      } else if (word === 'map') {
        const place: SlackPlace = {
          channel: request.channel_id,
          threadTs: undefined,
          user: request.user_id,
          direct: request.channel_id.startsWith('D'),
        };
        await sendMap(client, place);
        return;
      } else if (word === 'mix' && service.mix) {
        const answer = await service.mix(request.channel_id);
        const message = renderAnswer(answer);
        if (answer.kind === 'results') {
          await respond({
            response_type: 'in_channel',
            text: message.text,
            blocks: message.blocks,
          });
          return;
        }
        text = message.text;
      } else {
        text = slackCommands(service.helpText('slack'), command);
      }
      await respond({ response_type: 'ephemeral', text });
    });
  });

  return {
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
