/**
 * Options of the local web chat and how they are read from the environment (`WEB_HOST`,
 * `WEB_PORT`). The web chat is the embedded default: `npm start` with no platform token starts it
 * on 127.0.0.1:8080.
 */
import { SynestheteError } from '../../core/util/errors.js';
import { PLATFORM_MAX_BYTES } from '../shared/limits.js';

/** Default interface the web chat binds to: loopback only. */
export const DEFAULT_WEB_HOST = '127.0.0.1';

/** Default TCP port of the web chat. */
export const DEFAULT_WEB_PORT = 8080;

/** Default cap on an uploaded clip's body, in bytes: the web platform's clip limit (50 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = PLATFORM_MAX_BYTES.web;

/** How the web chat listens. */
export interface WebChatOptions {
  /** Interface to bind to; default {@link DEFAULT_WEB_HOST}. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (tests). Default {@link DEFAULT_WEB_PORT}. */
  readonly port?: number;
  /**
   * Largest clip body accepted, in bytes; bigger uploads are answered 413 while streaming,
   * before the chat service sees them. Default {@link DEFAULT_MAX_UPLOAD_BYTES}.
   */
  readonly maxUploadBytes?: number;
  /** Number of answers' spectrogram pictures kept for the page to fetch; default 64. */
  readonly spectrogramCacheSize?: number;
  /**
   * Redis for the spectrogram pictures, so that any instance behind a balancer serves the picture
   * of an answer another instance gave; default: this process's memory.
   */
  readonly redisUrl?: string;
  /** Where request failures are logged; default one redacted line on stderr. */
  readonly log?: (message: string, error?: unknown) => void;
}

/**
 * Reads the web chat's options from environment variables.
 *
 * @param env - usually `process.env`; reads `WEB_HOST` (default 127.0.0.1), `WEB_PORT`
 *   (default 8080; 0 picks a free port) and `REDIS_URL` (pictures shared by every instance)
 * @returns the options (host and port always set)
 * @throws SynestheteError `E_CONFIG` when `WEB_PORT` is not an integer in 0–65535 or `WEB_HOST`
 *   is blank
 */
export function webOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): WebChatOptions & { host: string; port: number } {
  const rawHost = env.WEB_HOST;
  const rawPort = env.WEB_PORT;
  let host = DEFAULT_WEB_HOST;
  if (rawHost !== undefined && rawHost !== '') {
    host = rawHost.trim();
    if (host === '') throw new SynestheteError('E_CONFIG', 'WEB_HOST is blank');
  }
  let port = DEFAULT_WEB_PORT;
  if (rawPort !== undefined && rawPort.trim() !== '') {
    const text = rawPort.trim();
    port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new SynestheteError(
        'E_CONFIG',
        `WEB_PORT must be a port number (0–65535), got "${rawPort}"`,
      );
    }
  }
  const redisUrl = env.REDIS_URL?.trim();
  return { host, port, ...(redisUrl ? { redisUrl } : {}) };
}
