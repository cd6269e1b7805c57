/**
 * The local web chat, "the embedded default": `npm start` with no platform token serves a
 * single-page chat on http://127.0.0.1:8080 where a user drops a file or holds a button to record,
 * and gets the five most similar catalogue tracks with previews and 👍/👎/"more like this".
 *
 * @example
 * ```ts
 * const web = await startWebChat(service, webOptionsFromEnv(process.env));
 * console.log(web.description); // "web chat on http://127.0.0.1:8080/"
 * await web.stop();
 * ```
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSecrets } from '../shared/config.js';
import type { ChatService, RunningAdapter } from '../shared/types.js';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_WEB_HOST,
  DEFAULT_WEB_PORT,
  type WebChatOptions,
} from './options.js';
import { isLoopbackHost } from './origin.js';
import { redisSpectrogramStore } from './redis-spectrogram-store.js';
import { createWebHandler } from './server.js';
import { loadStaticFiles } from './static-files.js';

export type { WebChatOptions } from './options.js';
export { webOptionsFromEnv } from './options.js';

/** A running web chat: a {@link RunningAdapter} plus the URL it serves. */
export interface RunningWebChat extends RunningAdapter {
  /** The page's URL, e.g. "http://127.0.0.1:8080/" (with the real port when 0 was asked). */
  readonly url: string;
}

/**
 * Starts the web chat's HTTP server.
 *
 * @param service - the chat service that answers clips and buttons
 * @param options - host (default 127.0.0.1), port (default 8080; 0 = any free port), upload cap
 * @returns the running chat; `description` names its URL; `stop()` closes the server and every
 *   open connection (the shared service is the caller's to drain)
 * @throws Error when the page's files are missing, or the port cannot be bound (EADDRINUSE …)
 */
export async function startWebChat(
  service: ChatService,
  options: WebChatOptions,
): Promise<RunningWebChat> {
  const host = options.host ?? DEFAULT_WEB_HOST;
  const port = options.port ?? DEFAULT_WEB_PORT;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  // One redacted line per failure: no stack trace, no secret of the environment.
  const log =
    options.log ??
    ((message: string, error?: unknown) =>
      process.stderr.write(
        `${redactSecrets(`${message}${error === undefined ? '' : ` ${describeFailure(error)}`}`)}\n`,
      ));
  const files = await loadStaticFiles({ __MAX_UPLOAD_BYTES__: String(maxUploadBytes) });
  const pictures = options.redisUrl ? redisSpectrogramStore(options.redisUrl, log) : undefined;
  const server = createServer(
    createWebHandler(service, {
      files,
      maxUploadBytes,
      spectrogramCacheSize: options.spectrogramCacheSize ?? 64,
      pictures,
      loopbackOnly: isLoopbackHost(host),
      log,
    }),
  );
  server.requestTimeout = 5 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await pictures?.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/`;
  return {
    platform: 'web',
    url,
    description: `web chat on ${url}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await pictures?.close();
    },
  };
}

/** A failure in one phrase: its name, code and message (never a stack trace). */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
}
