/**
 * `/listen [seconds] [user] [mode]` and `/stop`: the command handler between discord.js and a
 * {@link ListenSession}. One session per server (Discord allows one voice connection per guild
 * per bot). It checks where the caller is and what the bot may do there before joining, defers
 * at once (joining takes longer than Discord's 3-second acknowledgement window), edits the
 * deferred reply into the "listening" announcement, and posts answers and the closing sentence
 * as follow-ups (or as channel messages once the interaction token is about to expire). Voice
 * state updates end a session when its member leaves or the channel empties.
 */
import {
  type ChatInputCommandInteraction,
  type Guild,
  MessageFlags,
  SlashCommandBuilder,
  type VoiceState,
} from 'discord.js';
import type { ChatService } from '../../shared/types.js';
import { describeError } from '../handler-context.js';
import { type DiscordMessageBody, textBody } from '../render.js';
import { captureVoice } from './capture.js';
import { createVoiceConnector, type VoiceConnector } from './connection.js';
import { analyseLive } from './live-clip.js';
import { checkVoiceAccess } from './permissions.js';
import { LISTEN_TEXTS, type ListenContext, renderOutcome, renderSessionMessage } from './render.js';
import { ListenSession, type SessionDeps, type SessionOptions } from './session.js';

/** Command and option names as Discord shows them. */
export const LISTEN_COMMANDS = {
  listen: 'listen',
  stop: 'stop',
  seconds: 'seconds',
  user: 'user',
  mode: 'mode',
} as const;

/** `/listen seconds:` range and default, seconds (5 s: the shortest clip the service takes). */
export const LISTEN_SECONDS = { min: 5, max: 60, default: 15 } as const;

/**
 * How long an interaction token may be used for follow-ups, ms: Discord's 15 minutes less a
 * minute of margin (Discord developer docs, "Receiving and Responding → Followup Messages").
 */
const FOLLOW_UP_WINDOW_MS = 14 * 60_000;

/**
 * The `/listen` and `/stop` definitions (servers only: DMs have no voice channels).
 *
 * @returns two slash-command bodies for `PUT /applications/{id}/commands`
 */
export function listenCommandDefinitions() {
  return [
    new SlashCommandBuilder()
      .setName(LISTEN_COMMANDS.listen)
      .setDescription('Join your voice channel, listen, and post five tracks like what is playing')
      .setContexts(0) // InteractionContextType.Guild
      .addIntegerOption((option) =>
        option
          .setName(LISTEN_COMMANDS.seconds)
          .setDescription(
            `Seconds to listen (${LISTEN_SECONDS.min}–${LISTEN_SECONDS.max}, default ${LISTEN_SECONDS.default})`,
          )
          .setMinValue(LISTEN_SECONDS.min)
          .setMaxValue(LISTEN_SECONDS.max),
      )
      .addUserOption((option) =>
        option
          .setName(LISTEN_COMMANDS.user)
          .setDescription('Listen to this member only (default: everyone speaking, mixed)'),
      )
      .addStringOption((option) =>
        option
          .setName(LISTEN_COMMANDS.mode)
          .setDescription('once (default), or continuous: post again when the music changes')
          .addChoices({ name: 'once', value: 'once' }, { name: 'continuous', value: 'continuous' }),
      )
      .toJSON(),
    new SlashCommandBuilder()
      .setName(LISTEN_COMMANDS.stop)
      .setDescription('Stop listening in the voice channel and leave it')
      .setContexts(0)
      .toJSON(),
  ];
}

/** Options of {@link createVoiceListener}. */
export interface VoiceListenerOptions {
  readonly service: ChatService;
  readonly log: (line: string) => void;
  /** Joins voice channels (default: `@discordjs/voice`; tests inject a fake). */
  readonly connector?: VoiceConnector | undefined;
  /** Overrides of the session's timeouts (tests use short ones). */
  readonly session?: Partial<
    Pick<
      SessionOptions,
      | 'joinTimeoutMs'
      | 'waitForSoundMs'
      | 'silenceMs'
      | 'analyseTimeoutMs'
      | 'idleTimeoutMs'
      | 'minPostIntervalMs'
      | 'maxDurationMs'
    >
  >;
  /** Session dependencies to replace (tests: a fake clock or capture). */
  readonly deps?: Partial<Pick<SessionDeps, 'capture' | 'now'>>;
}

/** The running voice feature of one bot. */
export interface VoiceListener {
  /** `/listen`. Never throws. */
  listen(interaction: ChatInputCommandInteraction): Promise<void>;
  /** `/stop`. Never throws. */
  stop(interaction: ChatInputCommandInteraction): Promise<void>;
  /** discord.js `voiceStateUpdate`: ends sessions whose member left or whose channel emptied. */
  onVoiceStateUpdate(oldState: VoiceState, newState: VoiceState): void;
  /** The session of a server, if any (tests watch its states). */
  session(guildId: string): ListenSession | undefined;
  /** Stops every session and waits until each has left its channel. */
  stopAll(): Promise<void>;
}

/** Humans (not bots) in a voice channel of a guild, from discord.js's voice-state cache. */
function humansIn(guild: Guild, channelId: string): number {
  return guild.voiceStates.cache.filter(
    (state) => state.channelId === channelId && state.member?.user.bot !== true,
  ).size;
}

/**
 * Creates the `/listen` feature.
 *
 * @param options - chat service, log, and test replacements
 */
export function createVoiceListener(options: VoiceListenerOptions): VoiceListener {
  const { service, log } = options;
  const connector = options.connector ?? createVoiceConnector({ log });
  const sessions = new Map<string, { session: ListenSession; done: Promise<void> }>();

  const ephemeral = async (
    interaction: ChatInputCommandInteraction,
    text: string,
  ): Promise<void> => {
    await interaction.reply({ ...textBody(text), flags: MessageFlags.Ephemeral });
  };

  const listen = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    if (!interaction.inCachedGuild()) return ephemeral(interaction, LISTEN_TEXTS.guildOnly);
    const guild = interaction.guild;
    const running = sessions.get(guild.id);
    if (running) {
      const name = guild.channels.cache.get(running.session.options.target.channelId)?.name;
      return ephemeral(interaction, LISTEN_TEXTS.alreadyListening(name ?? 'a voice channel'));
    }
    const channel = interaction.member.voice.channel;
    const me = guild.members.me;
    const access = checkVoiceAccess({
      channel: channel
        ? { name: channel.name, memberCount: channel.members.size, userLimit: channel.userLimit }
        : null,
      botPermissions: channel && me ? channel.permissionsFor(me).bitfield : null,
    });
    if (!access.ok || !channel) return ephemeral(interaction, access.ok ? '' : access.text);

    const seconds =
      interaction.options.getInteger(LISTEN_COMMANDS.seconds) ?? LISTEN_SECONDS.default;
    const mode =
      interaction.options.getString(LISTEN_COMMANDS.mode) === 'continuous' ? 'continuous' : 'once';
    const user = interaction.options.getUser(LISTEN_COMMANDS.user);
    if (user && user.id === interaction.client.user.id) {
      return ephemeral(interaction, LISTEN_TEXTS.notMyself);
    }
    const chosen = user ? guild.members.cache.get(user.id) : undefined;
    const userName = user ? (chosen?.displayName ?? user.globalName ?? user.username) : undefined;
    if (user && guild.voiceStates.cache.get(user.id)?.channelId !== channel.id) {
      return ephemeral(interaction, LISTEN_TEXTS.userNotThere(userName ?? '', channel.name));
    }

    const context: ListenContext = { channelName: channel.name, mode, seconds, userName };
    const startedAt = Date.now();
    await interaction.deferReply();
    let announced = false;
    const send = async (body: DiscordMessageBody): Promise<void> => {
      if (!announced) {
        announced = true;
        await interaction.editReply(body);
      } else if (Date.now() - startedAt < FOLLOW_UP_WINDOW_MS || !interaction.channel) {
        await interaction.followUp(body);
      } else {
        await interaction.channel.send(body);
      }
    };

    const session = new ListenSession(
      {
        target: {
          guildId: guild.id,
          channelId: channel.id,
          adapterCreator: guild.voiceAdapterCreator,
        },
        mode,
        seconds,
        userId: user?.id,
        ...options.session,
      },
      {
        connect: connector,
        capture: options.deps?.capture ?? captureVoice,
        ...(options.deps?.now ? { now: options.deps.now } : {}),
        analyse: (audio) =>
          analyseLive(service, audio, {
            textChannelId: interaction.channelId,
            callerId: interaction.user.id,
          }),
        post: (message) => send(renderSessionMessage(message, context)),
        log: (line) => log(`voice ${guild.id}: ${line}`),
      },
    );
    session.on('state', (from: string, to: string) => log(`voice ${guild.id}: ${from} → ${to}`));
    const done = (async () => {
      const outcome = await session.run();
      const text = renderOutcome(outcome, context);
      if (text) {
        await send(textBody(text)).catch((error: unknown) =>
          log(`voice ${guild.id}: closing message failed: ${describeError(error)}`),
        );
      }
    })();
    sessions.set(guild.id, { session, done });
    try {
      await done;
    } finally {
      sessions.delete(guild.id);
    }
  };

  const stop = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    const running = interaction.guildId ? sessions.get(interaction.guildId) : undefined;
    if (!running) return ephemeral(interaction, LISTEN_TEXTS.notListening);
    running.session.stop('stopped');
    await ephemeral(interaction, LISTEN_TEXTS.stopping);
  };

  return {
    async listen(interaction) {
      try {
        await listen(interaction);
      } catch (error) {
        log(`/listen ${interaction.id}: ${describeError(error)}`);
        const sorry = textBody('Sorry, something went wrong while listening. Please try again.');
        const answered =
          interaction.deferred || interaction.replied
            ? interaction.followUp(sorry)
            : interaction.reply({ ...sorry, flags: MessageFlags.Ephemeral });
        await answered.catch(() => undefined);
      }
    },
    async stop(interaction) {
      try {
        await stop(interaction);
      } catch (error) {
        log(`/stop ${interaction.id}: ${describeError(error)}`);
      }
    },
    onVoiceStateUpdate(oldState, newState) {
      const running = sessions.get(newState.guild.id)?.session;
      if (!running) return;
      const channelId = running.options.target.channelId;
      if (running.options.userId === newState.id && newState.channelId !== channelId) {
        running.stop('user-left');
      } else if (oldState.channelId === channelId && newState.channelId !== channelId) {
        if (humansIn(newState.guild, channelId) === 0) running.stop('channel-empty');
      }
    },
    session: (guildId) => sessions.get(guildId)?.session,
    async stopAll() {
      for (const { session } of sessions.values()) session.stop('stopped');
      await Promise.allSettled([...sessions.values()].map((s) => s.done));
    },
  };
}
