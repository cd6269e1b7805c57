/**
 * The Slack adapter (Bolt for JavaScript): a user uploads a clip in a channel, a thread or a
 * direct message, and the bot answers in the thread with the five most similar catalogue tracks.
 *
 * ```ts
 * const options = slackOptionsFromEnv(process.env);
 * if (options) running.push(await startSlackBot(service, options));
 * ```
 *
 * HTTP mode (default) serves `POST /slack/events` for events, button presses and the slash
 * command, verifying Slack's request signature; Socket Mode connects out with an app token.
 */
import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { SynestheteError } from '../../core/util/errors.js';
import type { ChatService, RunningAdapter } from '../shared/types.js';
import { createSlackDownload } from './download.js';
import { registerSlackHandlers } from './handlers.js';
import { createSlackLogger, stderrSink } from './log.js';
import { DEFAULT_SLACK_PORT, type SlackBotOptions } from './options.js';

export {
  DEFAULT_SLACK_PORT,
  type SlackBotOptions,
  type SlackHttpOptions,
  type SlackLogSink,
  type SlackSocketOptions,
  slackOptionsFromEnv,
} from './options.js';

/** A running Slack bot. */
export interface SlackRunningAdapter extends RunningAdapter {
  /** The HTTP port events are served on (the real one when 0 was asked); undefined in Socket Mode. */
  readonly port: number | undefined;
}

/** The events endpoint path in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Starts the Slack bot.
 *
 * @param service - the chat service (shared by all adapters of the process)
 * @param options - tokens and mode, e.g. from {@link slackOptionsFromEnv}
 * @returns the running adapter; `stop()` closes the endpoint or socket and waits for answers in
 *   progress
 * @throws SynestheteError `E_CONFIG` when Slack refuses the bot token (auth.test) or the port
 *   cannot be opened
 */
export async function startSlackBot(
  service: ChatService,
  options: SlackBotOptions,
): Promise<SlackRunningAdapter> {
  const secrets = [options.botToken, options.socketMode ? options.appToken : options.signingSecret];
  const logger = createSlackLogger(options.log ?? stderrSink, secrets);
  const clientOptions = {
    // Answers are interactive: retry twice within seconds, not ten times over half an hour.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    timeout: 30_000,
    ...(options.apiUrl === undefined ? {} : { slackApiUrl: options.apiUrl }),
  };
  const app = options.socketMode
    ? new App({
        token: options.botToken,
        socketMode: true,
        appToken: options.appToken,
        logger,
        clientOptions,
        deferInitialization: true,
      })
    : new App({
        token: options.botToken,
        signingSecret: options.signingSecret,
        endpoints: SLACK_EVENTS_PATH,
        logger,
        clientOptions,
        deferInitialization: true,
      });
  try {
    await app.init();
  } catch (error) {
    throw new SynestheteError(
      'E_CONFIG',
      `Slack refused SLACK_BOT_TOKEN (auth.test): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const handlers = registerSlackHandlers(app, {
    service,
    download: createSlackDownload({
      botToken: options.botToken,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    }),
    logger,
    command: options.command ?? '/synesthete',
  });
  app.error(async (error) => {
    logger.error(`unhandled: ${error.code ?? 'error'}: ${error.message}`);
  });

  let port: number | undefined;
  try {
    if (options.socketMode) {
      await app.start();
    } else {
      const server = await app.start(options.port ?? DEFAULT_SLACK_PORT);
      if (server instanceof Server) port = (server.address() as AddressInfo).port;
    }
  } catch (error) {
    throw new SynestheteError(
      'E_CONFIG',
      options.socketMode
        ? `Slack Socket Mode could not connect (check SLACK_APP_TOKEN): ${String(error)}`
        : `Slack events endpoint could not listen on port ${options.port ?? DEFAULT_SLACK_PORT} (SLACK_PORT): ${String(error)}`,
      { cause: error },
    );
  }
  const description = options.socketMode
    ? 'Slack (Socket Mode)'
    : `Slack (HTTP, POST ${SLACK_EVENTS_PATH} on port ${port})`;
  logger.info(`started: ${description}`);
  let stopped = false;
  return {
    platform: 'slack',
    description,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      await handlers.idle();
    },
  };
}
