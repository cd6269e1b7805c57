/**
 * How the Telegram adapter is configured: explicit options, read from the environment by
 * {@link telegramOptionsFromEnv} (after vercel/chat's adapter-telegram: option, then variable,
 * then a fail-fast error naming the variable).
 */
import { SynestheteError } from '../../core/util/errors.js';

/** The public Bot API server. */
export const DEFAULT_TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** The public Bot API's download limit (getFile refuses bigger files): 20 MB. */
export const CLOUD_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** What a self-hosted Bot API server (`telegram-bot-api --local`) lets a bot download: 2 GB. */
export const LOCAL_SERVER_DOWNLOAD_LIMIT_BYTES = 2000 * 1024 * 1024;

/** Port of the webhook server when TELEGRAM_WEBHOOK_PORT is not set. */
export const DEFAULT_WEBHOOK_PORT = 8080;

/** Webhook mode: Telegram POSTs updates to `url`; a node:http server receives them on `port`. */
export interface TelegramWebhookOptions {
  /** Public HTTPS URL Telegram posts to (its path is the one the server answers on). */
  readonly url: string;
  /**
   * Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every update; requests
   * without it are refused with 401. 1–256 characters of `A-Z a-z 0-9 _ -`.
   */
  readonly secretToken: string;
  /** Local port the server listens on (0 picks a free one). */
  readonly port: number;
  /** Local address to bind; default all interfaces. */
  readonly host?: string;
}

/** What happened to one update, reported through {@link TelegramBotOptions.onHandled}. */
export interface TelegramHandledEvent {
  readonly updateId: number;
  /** What the update was taken for. */
  readonly kind: 'clip' | 'vote' | 'map' | 'command' | 'hint' | 'ignored' | 'error';
  /** For clips, votes and maps: the kind of the service's answer ("results", "picture", …). */
  readonly answer?: string;
  /** Milliseconds from receiving the update to the last reply being sent. */
  readonly ms: number;
}

/** Everything {@link startTelegramBot} needs. */
export interface TelegramBotOptions {
  /** Bot token from @BotFather ("123456:ABC…"). Never logged. */
  readonly token: string;
  /** Bot API server root; default {@link DEFAULT_TELEGRAM_API_ROOT}. */
  readonly apiRoot?: string;
  /**
   * Largest file the adapter downloads, in bytes; bigger announced files are refused without a
   * download. Default 20 MB on the public Bot API, 2 GB on a self-hosted one (the chat
   * service's own cap still applies).
   */
  readonly maxDownloadBytes?: number;
  /** Set for webhook mode; long polling otherwise. */
  readonly webhook?: TelegramWebhookOptions;
  /** Long-polling timeout in seconds (grammY's default 30). */
  readonly pollingTimeoutS?: number;
  /** How often "typing…" is re-sent while a clip is analysed, in ms (default 4,000). */
  readonly typingIntervalMs?: number;
  /** Where log lines go (the token is redacted first); default stderr. */
  readonly log?: (line: string) => void;
  /** Called once per update when its handling is finished (metrics, tests). Must not throw. */
  readonly onHandled?: (event: TelegramHandledEvent) => void;
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Reads the adapter's options from environment variables.
 *
 * - `TELEGRAM_BOT_TOKEN` (secret): the bot token; without it the adapter is off.
 * - `TELEGRAM_API_ROOT`: a self-hosted Bot API server (lifts the 20 MB download limit to 2 GB).
 * - `TELEGRAM_WEBHOOK_URL`: public HTTPS URL; sets webhook mode (long polling otherwise).
 * - `TELEGRAM_WEBHOOK_SECRET` (secret): required with a webhook URL.
 * - `TELEGRAM_WEBHOOK_PORT`: local port of the webhook server (default 8080).
 *
 * @param env - usually `process.env`
 * @returns the options, or undefined when TELEGRAM_BOT_TOKEN is absent or empty
 * @throws SynestheteError `E_CONFIG` naming the variable that is missing or invalid
 */
export function telegramOptionsFromEnv(env: NodeJS.ProcessEnv): TelegramBotOptions | undefined {
  const token = env.TELEGRAM_BOT_TOKEN?.trim();
  if (!token) return undefined;
  const apiRoot = env.TELEGRAM_API_ROOT?.trim();
  if (apiRoot) checkUrl(apiRoot, 'TELEGRAM_API_ROOT');
  const webhookUrl = env.TELEGRAM_WEBHOOK_URL?.trim();
  const options: TelegramBotOptions = {
    token,
    ...(apiRoot ? { apiRoot: apiRoot.replace(/\/+$/, '') } : {}),
  };
  if (!webhookUrl) return options;
  checkUrl(webhookUrl, 'TELEGRAM_WEBHOOK_URL');
  const secretToken = env.TELEGRAM_WEBHOOK_SECRET?.trim();
  if (!secretToken) {
    throw new SynestheteError(
      'E_CONFIG',
      'TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set (1–256 characters: A-Z a-z 0-9 _ -)',
    );
  }
  if (!SECRET_TOKEN.test(secretToken)) {
    throw new SynestheteError(
      'E_CONFIG',
      'TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A-Z a-z 0-9 _ - (Telegram refuses others)',
    );
  }
  const portText = env.TELEGRAM_WEBHOOK_PORT?.trim();
  const port = portText ? Number(portText) : DEFAULT_WEBHOOK_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SynestheteError(
      'E_CONFIG',
      `TELEGRAM_WEBHOOK_PORT must be a port number (0–65535), not "${portText}"`,
    );
  }
  return { ...options, webhook: { url: webhookUrl, secretToken, port } };
}

/**
 * The download cap that applies to `options`: the explicit one, else 20 MB on the public Bot
 * API and 2 GB on a self-hosted server.
 *
 * @returns bytes
 */
export function downloadLimitBytes(options: TelegramBotOptions): number {
  if (options.maxDownloadBytes !== undefined) return options.maxDownloadBytes;
  const root = options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT;
  return root.replace(/\/+$/, '') === DEFAULT_TELEGRAM_API_ROOT
    ? CLOUD_DOWNLOAD_LIMIT_BYTES
    : LOCAL_SERVER_DOWNLOAD_LIMIT_BYTES;
}

/** Throws E_CONFIG unless `value` is an http(s) URL. */
function checkUrl(value: string, name: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new SynestheteError('E_CONFIG', `${name} is not a URL: "${value}"`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SynestheteError('E_CONFIG', `${name} must be an http(s) URL, not "${value}"`);
  }
}
