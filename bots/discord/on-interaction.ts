/**
 * `interactionCreate`: slash commands, the "Find similar" message command and result buttons.
 * Anything that waits for the engine is acknowledged at once (`deferReply`, well inside
 * Discord's 3-second window) and finished with `editReply` (the token lasts 15 minutes).
 * 👍/👎 confirmations are ephemeral (only the voter sees them); results are public.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import { decodeAction, decodeMapAction } from '../shared/actions.js';
import { filterFromOptions } from '../shared/chat-filters.js';
import type { ChatAnswer, ClipInput } from '../shared/types.js';
import {
  CLIP_OPTION,
  COMMANDS,
  GENRE_OPTION,
  MAX_DURATION_OPTION,
  MIN_DURATION_OPTION,
  NOT_GENRE_OPTION,
} from './commands.js';
import {
  describeError,
  type HandlerContext,
  NO_AUDIO_TEXT,
  SORRY_TEXT,
  STALE_BUTTON_TEXT,
} from './handler-context.js';
import { clipFromAttachment, clipFromMessage, conversationId, userKey } from './parse.js';
import { renderAnswer, renderPicture, textBody } from './render.js';
import { LISTEN_COMMANDS, type VoiceListener } from './voice/listen-command.js';

/** Defers publicly, waits for `work`, and edits the answer in. */
async function deferThenAnswer(
  interaction: RepliableInteraction,
  work: () => Promise<ChatAnswer>,
  ephemeral = false,
): Promise<void> {
  await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const answer = await work();
  await interaction.editReply(renderAnswer(answer));
}

/** `/similar clip:<file>`. */
async function similar(
  interaction: ChatInputCommandInteraction,
  context: HandlerContext,
): Promise<void> {
  const attachment = interaction.options.getAttachment(CLIP_OPTION, true);
  const clip: ClipInput = clipFromAttachment(attachment, {
    channelId: interaction.channelId,
    userId: interaction.user.id,
    voiceMessage: false,
    maxDownloadBytes: context.maxDownloadBytes,
  });
  const parsed = filterFromOptions(
    Object.fromEntries(
      [GENRE_OPTION, NOT_GENRE_OPTION, MIN_DURATION_OPTION, MAX_DURATION_OPTION].map((name) => [
        name,
        interaction.options.getString(name),
      ]),
    ),
  );
  if (parsed.error) {
    await interaction.reply({ ...textBody(parsed.error), flags: MessageFlags.Ephemeral });
    return;
  }
  const filtered: ClipInput = parsed.filter ? { ...clip, filter: parsed.filter } : clip;
  await deferThenAnswer(interaction, () => context.service.handleClip(filtered));
}

/** Slash commands. */
async function slashCommand(
  interaction: ChatInputCommandInteraction,
  context: HandlerContext,
  voice: VoiceListener | undefined,
): Promise<void> {
  const conversation = conversationId(interaction.channelId);
  switch (interaction.commandName) {
    case LISTEN_COMMANDS.listen:
    case LISTEN_COMMANDS.stop:
      if (!voice) break;
      return interaction.commandName === LISTEN_COMMANDS.listen
        ? voice.listen(interaction)
        : voice.stop(interaction);
    case COMMANDS.similar:
      return similar(interaction, context);
    case COMMANDS.help:
      await interaction.reply({
        ...textBody(context.service.helpText('discord')),
        flags: MessageFlags.Ephemeral,
      });
      return;
    case COMMANDS.mix: {
      const { service } = context;
      if (!service.mix) break;
      await deferThenAnswer(interaction, () => service.mix?.(conversation) as Promise<ChatAnswer>);
      return;
    }
    case COMMANDS.forget:
      await interaction.deferReply();
      await interaction.editReply(textBody(await context.service.forget(conversation)));
      return;
  }
  await interaction.reply({ ...textBody(SORRY_TEXT), flags: MessageFlags.Ephemeral });
}

/** "Find similar" on a message. */
async function findSimilar(
  interaction: MessageContextMenuCommandInteraction,
  context: HandlerContext,
): Promise<void> {
  const clip = clipFromMessage(interaction.targetMessage, {
    userId: interaction.user.id,
    channelId: interaction.channelId,
    maxDownloadBytes: context.maxDownloadBytes,
  });
  if (!clip) {
    await interaction.reply({ ...textBody(NO_AUDIO_TEXT), flags: MessageFlags.Ephemeral });
    return;
  }
  await deferThenAnswer(interaction, () => context.service.handleClip(clip));
}

/** 👍 / 👎 / More like this / 🗺 Show on the map. */
async function button(interaction: ButtonInteraction, context: HandlerContext): Promise<void> {
  const answerId = decodeMapAction(interaction.customId);
  const { mapPicture } = context.service;
  if (answerId !== undefined && mapPicture) {
    const conversation = conversationId(interaction.channelId);
    await interaction.deferReply();
    await interaction.editReply(
      renderPicture(await mapPicture(conversation, answerId || undefined)),
    );
    return;
  }
  const action = decodeAction(interaction.customId);
  if (!action) {
    await interaction.reply({ ...textBody(STALE_BUTTON_TEXT), flags: MessageFlags.Ephemeral });
    return;
  }
  const conversation = conversationId(interaction.channelId);
  const user = userKey(interaction.user.id);
  await deferThenAnswer(
    interaction,
    () => context.service.vote(conversation, user, action.trackId, action.vote),
    action.vote !== 'more',
  );
}

/**
 * Builds the `interactionCreate` listener. It never throws: failures are logged and the user
 * gets a polite text (in the deferred reply when there is one).
 *
 * @param context - service, logger, download ceiling
 * @param voice - the `/listen` and `/stop` handler (voice/listen-command.ts), when voice is on
 * @returns the listener for `client.on(Events.InteractionCreate, …)`
 */
export function createInteractionHandler(
  context: HandlerContext,
  voice?: VoiceListener,
): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    try {
      if (interaction.isChatInputCommand()) await slashCommand(interaction, context, voice);
      else if (interaction.isMessageContextMenuCommand()) {
        if (interaction.commandName === COMMANDS.findSimilar)
          await findSimilar(interaction, context);
      } else if (interaction.isButton()) await button(interaction, context);
    } catch (error) {
      context.log(`interaction ${interaction.id}: ${describeError(error)}`);
      if (!interaction.isRepliable()) return;
      const sorry = textBody(SORRY_TEXT);
      const answered =
        interaction.deferred || interaction.replied
          ? interaction.editReply(sorry)
          : interaction.reply({ ...sorry, flags: MessageFlags.Ephemeral });
      await answered.catch(() => undefined);
    }
  };
}
