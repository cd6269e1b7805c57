/**
 * `messageCreate`: a message with a voice message or an audio/video attachment is answered with
 * a reply (showing "typing…" while the engine works). A message without audio is ignored in
 * servers unless it mentions the bot; then, and in DMs, the bot answers with what to send. A
 * mention that replies to a message with audio analyses that message.
 */
import type { Message } from 'discord.js';
import type { ClipInput } from '../shared/types.js';
import { describeError, type HandlerContext, SORRY_TEXT } from './handler-context.js';
import { clipFromMessage } from './parse.js';
import { renderAnswer, textBody } from './render.js';

/** How often "typing…" is renewed while the engine works (Discord shows it for ~10 s), ms. */
export const TYPING_RENEW_MS = 8_000;

/**
 * Shows "typing…" in a channel until the returned function is called. Failures (e.g. a missing
 * permission) are ignored: typing is decoration.
 *
 * @param channel - anything with discord.js's `sendTyping()`
 * @returns stop function
 */
export function keepTyping(channel: { sendTyping(): Promise<void> }): () => void {
  const tick = (): void => {
    channel.sendTyping().catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, TYPING_RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The clip of the message this one replies to, when it has one. */
async function referencedClip(
  message: Message,
  context: HandlerContext,
): Promise<ClipInput | undefined> {
  if (!message.reference?.messageId) return undefined;
  const target = await message.fetchReference().catch(() => undefined);
  if (!target) return undefined;
  return clipFromMessage(target, {
    userId: message.author.id,
    channelId: message.channelId,
    maxDownloadBytes: context.maxDownloadBytes,
  });
}

/**
 * Builds the `messageCreate` listener. It never throws: failures are logged and answered with a
 * polite text when a reply is possible.
 *
 * @param context - service, logger, download ceiling
 * @param botUserId - returns the bot's own user id (known after login)
 * @returns the listener for `client.on(Events.MessageCreate, …)`
 */
export function createMessageHandler(
  context: HandlerContext,
  botUserId: () => string | undefined,
): (message: Message) => Promise<void> {
  return async (message) => {
    if (message.author.bot || message.system) return;
    const selfId = botUserId();
    const mentioned =
      selfId !== undefined && message.mentions.users.has(selfId) && !message.mentions.everyone;
    const direct = !message.inGuild();
    try {
      let clip = clipFromMessage(message, { maxDownloadBytes: context.maxDownloadBytes });
      if (!clip && mentioned) clip = await referencedClip(message, context);
      if (!clip) {
        if (direct || mentioned) {
          await message.reply({
            ...textBody(context.service.helpText('discord')),
            allowedMentions: { repliedUser: false },
          });
        }
        return;
      }
      const stopTyping = 'sendTyping' in message.channel ? keepTyping(message.channel) : () => {};
      let answer: Awaited<ReturnType<typeof context.service.handleClip>>;
      try {
        answer = await context.service.handleClip(clip);
      } finally {
        stopTyping();
      }
      await message.reply({ ...renderAnswer(answer), allowedMentions: { repliedUser: false } });
    } catch (error) {
      context.log(`message ${message.id}: ${describeError(error)}`);
      await message
        .reply({ ...textBody(SORRY_TEXT), allowedMentions: { repliedUser: false } })
        .catch(() => undefined);
    }
  };
}
