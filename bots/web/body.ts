/**
 * Request bodies read with a byte cap enforced while streaming: an upload over the cap is
 * refused as soon as it crosses it (or at once when its Content-Length says so), without ever
 * holding more than the cap in memory.
 */
import type { IncomingMessage } from 'node:http';

/** The outcome of {@link readCappedBody}. */
export type CappedBody =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'too-big' | 'aborted' };

/**
 * Reads a request body of at most `maxBytes` bytes.
 *
 * When the body turns out bigger, reading stops collecting at once and resolves `too-big`; the
 * rest of the stream is left paused for the caller to answer 413 and then call
 * {@link discardBody}.
 *
 * @param req - the request (its body not yet read)
 * @param maxBytes - the cap, in bytes
 * @returns the bytes, or why there are none; never rejects
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) {
    return Promise.resolve({ ok: false, reason: 'too-big' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (result: CappedBody): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        req.pause();
        chunks.length = 0;
        finish({ ok: false, reason: 'too-big' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const bytes = Buffer.concat(chunks, total);
      finish({ ok: true, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    };
    const onError = (): void => finish({ ok: false, reason: 'aborted' });
    const onAborted = (): void => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Throws away the unread rest of a refused body without buffering it, so the client can read the
 * answer already sent; the connection is cut once more than `limitBytes` more arrive or after
 * `timeoutMs`.
 *
 * @param req - the request whose body was refused
 * @param limitBytes - how much more to swallow before cutting the connection
 * @param timeoutMs - how long to keep swallowing; default 5 s
 */
export function discardBody(req: IncomingMessage, limitBytes: number, timeoutMs = 5000): void {
  if (req.complete) return;
  let swallowed = 0;
  const timer = setTimeout(() => req.socket.destroy(), timeoutMs);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    swallowed += chunk.byteLength;
    if (swallowed > limitBytes) req.socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}
