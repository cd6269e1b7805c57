/**
 * The Discord adapter (discord.js v14): wiring only. Logs in over the gateway, registers the
 * application commands (see commands.ts), and routes `messageCreate` (on-message.ts) and
 * `interactionCreate` (on-interaction.ts) to the shared {@link ChatService}.
 *
 * `/listen` and `/stop` (voice/) join voice channels with `@discordjs/voice` ≥ 0.19 (DAVE
 * end-to-end encryption; Node ≥ 22.12) and answer what is playing there.
 *
 * Gateway intents: Guilds, GuildMessages, DirectMessages, GuildVoiceStates (who is in which voice
 * channel; `@discordjs/voice` needs its updates too) and MessageContent. MessageContent is
 * **privileged**: enable it in the Developer Portal (Bot → Privileged Gateway Intents), or the
 * gateway refuses the connection (close code 4014). Without it the bot would not see the
 * attachments of server messages that do not mention it. The others are not privileged.
 *
 * @example
 * const options = discordOptionsFromEnv(process.env);
 * if (options) adapters.push(await startDiscordBot(service, options));
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Client, type ClientOptions, Events, GatewayIntentBits, Partials } from 'discord.js';
import { redactSecrets } from '../shared/config.js';
import { SynestheteError } from '../shared/recommender-port.js';
import type { ChatService, RunningAdapter } from '../shared/types.js';
import { registerCommands } from './commands.js';
import { describeError, type HandlerContext } from './handler-context.js';
import { createInteractionHandler } from './on-interaction.js';
import { createMessageHandler } from './on-message.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES } from './parse.js';
import { createVoiceListener, type VoiceListenerOptions } from './voice/listen-command.js';

/** How the Discord bot connects. */
export interface DiscordBotOptions {
  /** Bot token (Developer Portal → Bot → Reset Token); never logged. */
  readonly token: string;
  /**
   * Application id (Developer Portal → General Information) the commands are registered for;
   * default: the application of the token, as the gateway's READY names it.
   */
  readonly applicationId?: string;
  /** Register the commands in this server only (they appear at once); default global. */
  readonly guildId?: string;
  /** REST API base, default "https://discord.com/api" (a fake or self-hosted proxy in tests). */
  readonly apiUrl?: string;
  /** Register the application commands at start (default true). */
  readonly registerCommands?: boolean;
  /** Download ceiling per attachment in bytes (default 25 MiB). */
  readonly maxDownloadBytes?: number;
  /** Time allowed for login and the READY handshake, ms (default 60 s). */
  readonly connectTimeoutMs?: number;
  /** Log sink, one line per call (default: stderr with a "[discord]" prefix). */
  readonly log?: (line: string) => void;
  /**
   * `/listen` in voice channels: replacements for tests (a fake voice connector, short
   * timeouts); `false` turns the voice commands' handling off (default: on, real voice).
   */
  readonly voice?: Pick<VoiceListenerOptions, 'connector' | 'session' | 'deps'> | false;
}

/** Gateway intents the bot asks for (MessageContent is privileged). */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.GuildVoiceStates,
  GatewayIntentBits.MessageContent,
] as const;

const SNOWFLAKE = /^\d{17,20}$/;

/**
 * Reads the Discord options from the environment.
 *
 * - `DISCORD_BOT_TOKEN` — absent or empty: the Discord adapter is off (returns undefined)
 * - `DISCORD_APPLICATION_ID` — optional: the application to register commands for (default:
 *   the token's own application)
 * - `DISCORD_GUILD_ID` — optional: register commands in this server only (instant)
 * - `DISCORD_API_URL` — optional REST base (fakes, proxies)
 *
 * @param env - usually `process.env`
 * @returns the options, or undefined when `DISCORD_BOT_TOKEN` is not set
 * @throws SynestheteError `E_CONFIG` naming the variable that is missing or malformed
 */
export function discordOptionsFromEnv(env: NodeJS.ProcessEnv): DiscordBotOptions | undefined {
  const token = env.DISCORD_BOT_TOKEN?.trim();
  if (!token) return undefined;
  const applicationId = env.DISCORD_APPLICATION_ID?.trim();
  if (applicationId && !SNOWFLAKE.test(applicationId)) {
    throw new SynestheteError('E_CONFIG', 'DISCORD_APPLICATION_ID must be a numeric Discord id');
  }
  const guildId = env.DISCORD_GUILD_ID?.trim();
  if (guildId && !SNOWFLAKE.test(guildId)) {
    throw new SynestheteError('E_CONFIG', 'DISCORD_GUILD_ID must be a numeric Discord server id');
  }
  const apiUrl = env.DISCORD_API_URL?.trim();
  if (apiUrl && !URL.canParse(apiUrl)) {
    throw new SynestheteError('E_CONFIG', 'DISCORD_API_URL must be an absolute URL');
  }
  return {
    token,
    ...(applicationId ? { applicationId } : {}),
    ...(guildId ? { guildId } : {}),
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
  };
}

/** Turns a login failure into a configuration error where it is one. */
function loginError(error: unknown): SynestheteError {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'TokenInvalid') {
    return new SynestheteError(
      'E_CONFIG',
      'Discord refused DISCORD_BOT_TOKEN: copy a fresh token from Developer Portal → Bot',
      { cause: error },
    );
  }
  if (typeof message === 'string' && /disallowed intents/i.test(message)) {
    return new SynestheteError(
      'E_CONFIG',
      'Discord refused the Message Content intent: enable it under Developer Portal → Bot → Privileged Gateway Intents',
      { cause: error },
    );
  }
  return new SynestheteError('E_INTERNAL', `Discord login failed: ${describeError(error)}`, {
    cause: error,
  });
}

/** Turns a command-registration failure into a configuration error where it is one. */
function registerError(
  error: unknown,
  applicationId: string,
  guildId: string | undefined,
): SynestheteError {
  const status = (error as { status?: unknown }).status;
  const where = guildId
    ? `application ${applicationId} in DISCORD_GUILD_ID ${guildId} (is the bot in that server, invited with the applications.commands scope?)`
    : `DISCORD_APPLICATION_ID ${applicationId} (is it this bot's application?)`;
  if (status === 401 || status === 403 || status === 404) {
    return new SynestheteError(
      'E_CONFIG',
      `Discord refused to register commands (HTTP ${status}) for ${where}`,
      { cause: error },
    );
  }
  return new SynestheteError(
    'E_INTERNAL',
    `registering Discord commands failed: ${describeError(error)}`,
    { cause: error },
  );
}

/**
 * The HTTP agent of discord.js's own undici copy. Without one, its REST client sends through
 * undici's process-wide dispatcher — which Node's built-in `fetch` takes over the first time
 * anything in the process calls it (the Telegram and Slack adapters do), and that dispatcher
 * refuses the multipart bodies of messages with files ("body must be a FormData created by this
 * undici package instance"): every answer with a picture then failed.
 */
function restAgent(): NonNullable<NonNullable<ClientOptions['rest']>['agent']> {
  // discord.js's REST client, as discord.js itself resolves it, and the undici that one uses.
  const fromDiscord = createRequire(createRequire(import.meta.url).resolve('discord.js'));
  const fromRest = createRequire(fromDiscord.resolve('@discordjs/rest'));
  const { Agent } = fromRest('undici') as {
    Agent: new () => NonNullable<NonNullable<ClientOptions['rest']>['agent']>;
  };
  return new Agent();
}

/**
 * Logs in, registers the commands and starts answering.
 *
 * @param service - the shared chat service
 * @param options - see {@link DiscordBotOptions}; {@link discordOptionsFromEnv} builds them
 * @returns the running adapter; `stop()` stops taking events, waits for the answers in
 *   progress and disconnects
 * @throws SynestheteError `E_CONFIG` for a missing or refused token, a refused privileged intent
 *   or a refused command registration; `E_INTERNAL` for other login failures or a timeout
 */
export async function startDiscordBot(
  service: ChatService,
  options: DiscordBotOptions,
): Promise<RunningAdapter> {
  if (!options.token) {
    throw new SynestheteError(
      'E_CONFIG',
      'no Discord token: set options.token or DISCORD_BOT_TOKEN',
    );
  }
  const sink = options.log ?? ((line: string) => process.stderr.write(`[discord] ${line}\n`));
  const log = (line: string): void => sink(redactSecrets(line).split(options.token).join('***'));
  const client = new Client({
    intents: [...DISCORD_INTENTS],
    // DM channels are not cached up front: without Partials.Channel, DMs never arrive.
    partials: [Partials.Channel],
    rest: { agent: restAgent(), ...(options.apiUrl ? { api: options.apiUrl } : {}) },
  });
  // One error handler: log and carry on (discord.js reconnects by itself).
  client.on(Events.Error, (error) => log(`client error: ${describeError(error)}`));
  client.on(Events.ShardError, (error) => log(`gateway error: ${describeError(error)}`));
  client.on(Events.Warn, (warning) => log(`warning: ${warning}`));

  const context: HandlerContext = {
    service,
    log,
    maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
  };
  const onMessage = createMessageHandler(context, () => client.user?.id);
  const voice =
    options.voice === false ? undefined : createVoiceListener({ service, log, ...options.voice });
  const onInteraction = createInteractionHandler(context, voice);
  // Handlers never throw; they are tracked so that stop() lets answers in progress go out.
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  client.on(Events.MessageCreate, (message) => track(onMessage(message)));
  client.on(Events.InteractionCreate, (interaction) => track(onInteraction(interaction)));
  if (voice) client.on(Events.VoiceStateUpdate, (old, now) => voice.onVoiceStateUpdate(old, now));

  const timeoutMs = options.connectTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = once(client, Events.ClientReady);
    await Promise.race([
      Promise.all([client.login(options.token), ready]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new SynestheteError(
                'E_INTERNAL',
                `could not connect to Discord within ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await client.destroy();
    throw error instanceof SynestheteError ? error : loginError(error);
  } finally {
    clearTimeout(timer);
  }

  const applicationId = options.applicationId ?? client.application?.id ?? '';
  if (options.registerCommands !== false) {
    try {
      await registerCommands(client.rest, applicationId, options.guildId);
    } catch (error) {
      await client.destroy();
      throw registerError(error, applicationId, options.guildId);
    }
  }

  const tag = client.user?.tag ?? 'unknown';
  const scope = options.guildId ? `commands in server ${options.guildId}` : 'global commands';
  return {
    platform: 'discord',
    description: `Discord bot @${tag} (application ${applicationId}, ${scope})`,
    async stop() {
      client.removeAllListeners(Events.MessageCreate);
      client.removeAllListeners(Events.InteractionCreate);
      // Listening sessions leave their voice channels (and say so) before the answers drain.
      await voice?.stopAll();
      client.removeAllListeners(Events.VoiceStateUpdate);
      await Promise.allSettled([...inFlight]);
      await client.destroy();
    },
  };
}
