/**
 * Downloads a file a user sent: `getFile` for its path, then `GET <apiRoot>/file/bot<token>/<path>`
 * with a byte cap enforced while streaming. A self-hosted Bot API server started with `--local`
 * answers getFile with an absolute path on its own disk; that file is read directly.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Api } from 'grammy';
import { SynestheteError } from '../../core/util/errors.js';

/** What a download needs. */
export interface TelegramFileAccess {
  /** grammY's API client (for getFile). */
  readonly api: Pick<Api, 'getFile'>;
  readonly token: string;
  /** Bot API root without a trailing slash. */
  readonly apiRoot: string;
  /** Largest download in bytes. */
  readonly maxBytes: number;
  /** Milliseconds the whole download may take (default 60,000). */
  readonly timeoutMs?: number;
}

/**
 * Fetches a file's bytes.
 *
 * @param access - API client, token, root and cap
 * @param fileId - Telegram's `file_id`
 * @returns the bytes
 * @throws SynestheteError `E_INPUT_TOO_LARGE` past `maxBytes`, `E_NOT_FOUND` when Telegram gives
 *   no path or answers 404; GrammyError/HttpError from getFile; Error on other HTTP statuses or
 *   a timeout. Messages never contain the token.
 */
export async function downloadTelegramFile(
  access: TelegramFileAccess,
  fileId: string,
): Promise<Uint8Array> {
  const file = await access.api.getFile(fileId);
  if (file.file_size !== undefined && file.file_size > access.maxBytes) throw tooLarge(access);
  const filePath = file.file_path;
  if (!filePath) throw new SynestheteError('E_NOT_FOUND', 'Telegram gave no path for that file');
  if (path.isAbsolute(filePath)) {
    if ((await stat(filePath)).size > access.maxBytes) throw tooLarge(access);
    return new Uint8Array(await readFile(filePath));
  }
  const url = `${access.apiRoot}/file/bot${access.token}/${filePath}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(access.timeoutMs ?? 60_000) });
  if (response.status === 404) {
    throw new SynestheteError('E_NOT_FOUND', 'Telegram no longer has that file (404)');
  }
  if (!response.ok || !response.body) {
    throw new Error(`file download failed: HTTP ${response.status}`);
  }
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (announced > access.maxBytes) {
    await response.body.cancel();
    throw tooLarge(access);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > access.maxBytes) throw tooLarge(access);
    chunks.push(chunk);
  }
  return concat(chunks, total);
}

function tooLarge(access: TelegramFileAccess): SynestheteError {
  const mb = Math.round(access.maxBytes / (1024 * 1024));
  return new SynestheteError('E_INPUT_TOO_LARGE', `that file is bigger than ${mb} MB`);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
