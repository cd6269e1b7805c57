/**
 * How the Slack adapter is configured: explicit options, or the environment
 * (`SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`, `SLACK_APP_TOKEN`, `SLACK_SOCKET_MODE`,
 * `SLACK_PORT`, `SLACK_API_URL`).
 */
import { SynestheteError } from '../../core/util/errors.js';

/** Where a log line goes; `line` never contains a token or the signing secret. */
export type SlackLogSink = (level: 'debug' | 'info' | 'warn' | 'error', line: string) => void;

/** Options shared by both connection modes. */
interface SlackCommonOptions {
  /** Bot token ("xoxb-…"), for the Web API and for downloading files. */
  readonly botToken: string;
  /**
   * Web API base URL ("https://slack.com/api/" by default) for fakes and self-hosted proxies.
   * When set, file downloads are fetched from this URL's host too (same path).
   */
  readonly apiUrl?: string;
  /** Slash command the bot answers (default "/synesthete"). */
  readonly command?: string;
  /** Where log lines go (default: stderr). Secrets are redacted before this is called. */
  readonly log?: SlackLogSink;
}

/** HTTP mode: Slack POSTs events and button presses to `/slack/events` on `port`. */
export interface SlackHttpOptions extends SlackCommonOptions {
  readonly socketMode?: false;
  /** The app's signing secret; requests with a bad signature are refused with 401. */
  readonly signingSecret: string;
  /** TCP port (default 3000; 0 picks a free one, see `SlackRunningAdapter.port`). */
  readonly port?: number;
}

/** Socket Mode: the bot opens a WebSocket to Slack; no public URL needed. */
export interface SlackSocketOptions extends SlackCommonOptions {
  readonly socketMode: true;
  /** App-level token ("xapp-…") with the `connections:write` scope. */
  readonly appToken: string;
}

/** Everything {@link startSlackBot} needs. */
export type SlackBotOptions = SlackHttpOptions | SlackSocketOptions;

/** Default HTTP port of the Slack receiver. */
export const DEFAULT_SLACK_PORT = 3000;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Reads the Slack options from the environment.
 *
 * Socket Mode is chosen by `SLACK_SOCKET_MODE=1`, or by `SLACK_APP_TOKEN` being set when
 * `SLACK_SOCKET_MODE` is absent; HTTP mode otherwise.
 *
 * @param env - usually `process.env`
 * @returns the options, or undefined when `SLACK_BOT_TOKEN` is absent (Slack is off)
 * @throws SynestheteError `E_CONFIG` naming the missing or invalid variable
 */
export function slackOptionsFromEnv(env: NodeJS.ProcessEnv): SlackBotOptions | undefined {
  const botToken = nonEmpty(env.SLACK_BOT_TOKEN);
  if (!botToken) return undefined;
  const apiUrl = nonEmpty(env.SLACK_API_URL);
  if (apiUrl !== undefined && !URL.canParse(apiUrl)) {
    throw new SynestheteError('E_CONFIG', 'SLACK_API_URL is not a URL');
  }
  const common = { botToken, ...(apiUrl === undefined ? {} : { apiUrl }) };
  const appToken = nonEmpty(env.SLACK_APP_TOKEN);
  const modeFlag = nonEmpty(env.SLACK_SOCKET_MODE);
  if (modeFlag !== undefined && !['0', '1', 'true', 'false'].includes(modeFlag)) {
    throw new SynestheteError('E_CONFIG', 'SLACK_SOCKET_MODE must be 1 or 0');
  }
  const socketMode =
    modeFlag === undefined ? appToken !== undefined : ['1', 'true'].includes(modeFlag);
  if (socketMode) {
    if (!appToken) {
      throw new SynestheteError(
        'E_CONFIG',
        'SLACK_APP_TOKEN is required for Slack Socket Mode (SLACK_SOCKET_MODE=1)',
      );
    }
    return { ...common, socketMode: true, appToken };
  }
  const signingSecret = nonEmpty(env.SLACK_SIGNING_SECRET);
  if (!signingSecret) {
    throw new SynestheteError(
      'E_CONFIG',
      'SLACK_SIGNING_SECRET is required for Slack in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  const portText = nonEmpty(env.SLACK_PORT);
  const port = portText === undefined ? DEFAULT_SLACK_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SynestheteError('E_CONFIG', 'SLACK_PORT must be a port number (0–65535)');
  }
  return { ...common, signingSecret, port };
}
