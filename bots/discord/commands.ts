/**
 * The application commands the bot registers at start: `/similar clip:<file>` (with the filters
 * `genre`, `not_genre`, `min_duration`, `max_duration`), `/help`,
 * `/forget`, the message context-menu command "Find similar" (right-click a message with a
 * voice message or audio file → Apps → Find similar; slash commands cannot reply to a message),
 * and the voice-channel commands `/listen` and `/stop` (voice/listen-command.ts).
 */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  type REST,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
  SlashCommandBuilder,
} from 'discord.js';
import { listenCommandDefinitions } from './voice/listen-command.js';

/** Command names as Discord shows them. */
export const COMMANDS = {
  similar: 'similar',
  help: 'help',
  forget: 'forget',
  mix: 'mix',
  findSimilar: 'Find similar',
} as const;

/** Name of `/similar`'s attachment option. */
export const CLIP_OPTION = 'clip';

/** Names of `/similar`'s filter options (read by bots/shared/chat-filters.ts). */
export const GENRE_OPTION = 'genre';
export const NOT_GENRE_OPTION = 'not_genre';
export const MIN_DURATION_OPTION = 'min_duration';
export const MAX_DURATION_OPTION = 'max_duration';

/** Where the commands can be used: servers, the bot's DMs and group DMs. */
const CONTEXTS = [
  InteractionContextType.Guild,
  InteractionContextType.BotDM,
  InteractionContextType.PrivateChannel,
];

/**
 * The command definitions, as `PUT /applications/{id}/commands` takes them.
 *
 * @returns seven commands: six slash commands (two of them server-only: `/listen`, `/stop`) and
 *   one message context-menu command
 */
export function commandDefinitions(): RESTPutAPIApplicationCommandsJSONBody {
  return [
    new SlashCommandBuilder()
      .setName(COMMANDS.similar)
      .setDescription('Find five catalogue tracks that sound like an audio clip')
      .setContexts(CONTEXTS)
      .addAttachmentOption((option) =>
        option
          .setName(CLIP_OPTION)
          .setDescription('A voice message, song or video clip (a few seconds of music)')
          .setRequired(true),
      )
      .addStringOption((option) =>
        option
          .setName(GENRE_OPTION)
          .setDescription('Only tracks with one of these genre tags (comma-separated)')
          .setRequired(false),
      )
      .addStringOption((option) =>
        option
          .setName(NOT_GENRE_OPTION)
          .setDescription('Leave out tracks with these genre tags (comma-separated)')
          .setRequired(false),
      )
      .addStringOption((option) =>
        option
          .setName(MIN_DURATION_OPTION)
          .setDescription('Only tracks at least this long: seconds (90) or m:ss (1:30)')
          .setMaxLength(12)
          .setRequired(false),
      )
      .addStringOption((option) =>
        option
          .setName(MAX_DURATION_OPTION)
          .setDescription('Only tracks at most this long: seconds (300) or m:ss (5:00)')
          .setMaxLength(12)
          .setRequired(false),
      )
      .toJSON(),
    new SlashCommandBuilder()
      .setName(COMMANDS.help)
      .setDescription('What to send and what the buttons do')
      .setContexts(CONTEXTS)
      .toJSON(),
    new SlashCommandBuilder()
      .setName(COMMANDS.forget)
      .setDescription('Forget the 👍/👎 given in this channel')
      .setContexts(CONTEXTS)
      .toJSON(),
    new SlashCommandBuilder()
      .setName(COMMANDS.mix)
      .setDescription('Five tracks that suit the last three clips of this channel together')
      .setContexts(CONTEXTS)
      .toJSON(),
    new ContextMenuCommandBuilder()
      .setName(COMMANDS.findSimilar)
      .setType(ApplicationCommandType.Message)
      .setContexts(CONTEXTS)
      .toJSON(),
    ...listenCommandDefinitions(),
  ];
}

/**
 * Registers (overwrites) the bot's commands. Guild commands appear at once; global commands can
 * take up to an hour to reach every client.
 *
 * @param rest - a REST client with the bot token set (`client.rest` after login)
 * @param applicationId - the application's id (Developer Portal → General Information)
 * @param guildId - register for this guild only (instant; for development)
 * @throws the REST error (`DiscordAPIError` with `status`) when Discord refuses
 */
export async function registerCommands(
  rest: REST,
  applicationId: string,
  guildId?: string,
): Promise<void> {
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: commandDefinitions() });
}
