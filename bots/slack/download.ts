/**
 * Downloads a Slack-hosted file (`url_private_download`) with the bot token. Slack answers a
 * request without a valid token (or without the `files:read` scope) with its HTML sign-in page
 * and status 200, so an HTML answer is an error here, not audio.
 */

/** How files are fetched. */
export interface SlackDownloadOptions {
  /** Bot token, sent as `Authorization: Bearer <token>` (only to Slack's file host). */
  readonly botToken: string;
  /**
   * Web API base URL when not Slack's own (fakes, proxies): downloads then go to this URL's
   * origin with the file URL's path.
   */
  readonly apiUrl?: string;
  /** Give up after this many milliseconds (default 60,000). */
  readonly timeoutMs?: number;
}

/** Downloads one file; `maxBytes` caps what is read (the announced size). */
export type SlackDownload = (url: string, maxBytes: number) => Promise<Uint8Array>;

const SLACK_FILE_HOST = /(^|\.)slack\.com$|(^|\.)slack-edge\.com$/;

/**
 * Where a file URL is fetched from: Slack's own host as given, or the configured API host.
 *
 * @throws Error when the URL is not a Slack file URL (the token must not leave Slack)
 */
export function resolveDownloadUrl(url: string, apiUrl?: string): URL {
  const target = new URL(url);
  if (apiUrl !== undefined) {
    const api = new URL(apiUrl);
    if (target.origin === api.origin) return target;
    if (SLACK_FILE_HOST.test(target.hostname)) {
      return new URL(`${target.pathname}${target.search}`, api.origin);
    }
  } else if (target.protocol === 'https:' && SLACK_FILE_HOST.test(target.hostname)) {
    return target;
  }
  throw new Error(`refusing to download a file from ${target.host}: not a Slack file host`);
}

/**
 * Makes the downloader the adapter's {@link ClipInput.read} uses.
 *
 * @returns a function that resolves with the file's bytes
 * @throws (from the returned function) Error on a non-200 answer, an HTML sign-in page, more
 *   than `maxBytes` bytes, a timeout, or a URL outside Slack
 */
export function createSlackDownload(options: SlackDownloadOptions): SlackDownload {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async (url, maxBytes) => {
    const target = resolveDownloadUrl(url, options.apiUrl);
    const response = await fetch(target, {
      headers: { Authorization: `Bearer ${options.botToken}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Slack file download failed with HTTP ${response.status}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('text/html')) {
      await response.body?.cancel();
      throw new Error(
        'Slack answered the file download with a sign-in page: does the bot token have the files:read scope?',
      );
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new Error(`Slack file is ${declared} bytes, more than the ${maxBytes} announced`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          throw new Error(`Slack file is larger than the ${maxBytes} bytes announced`);
        }
        chunks.push(chunk);
      }
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  };
}
