/**
 * Decoding in the calling thread, for a thread that is itself off the engine's thread: an ingest
 * analysis thread (core/ingest/pool.ts) starts with `SYNESTHETE_DECODE_THREADS=0`. A decode thread
 * of its own there would only add a second JavaScript heap and FFmpeg's buffers beside the
 * analysis (~100 MB of RSS each) and a copy of every PCM buffer between the two. The limits stay
 * as on a decode thread: bytes read and samples kept are capped by the decode loop, and the time
 * cap is read between packets instead of being set from another thread.
 *
 * @module
 */
import { decodeWithLibav, type Libav, loadLibav } from './node-av-decode.js';
import type { NodeAvReply, NodeAvRequest } from './node-av-protocol.js';

let loading: Promise<Libav | string> | undefined;

/**
 * Whether this thread decodes in place rather than on a decode thread
 * (`SYNESTHETE_DECODE_THREADS=0`, which the ingest analysis threads are started with).
 */
export function decodesHere(): boolean {
  return process.env.SYNESTHETE_DECODE_THREADS === '0';
}

/**
 * Decodes one request in this thread (blocking it for the decode's duration).
 *
 * @param request - file, rate, spans and limits (see `NodeAvRequest`)
 * @param signal - the caller's abort signal; an aborted signal is honoured before the decode
 *   starts
 * @param timeoutMs - the decode's time cap, ms: past it the decode answers `stopped` at its next
 *   packet, and this function waits one timer tick so that the caller's own cap (a timer set with
 *   the same length when the decode began) has fired before it reads `signal`
 * @returns the reply a decode thread would have sent (`unavailable` when node-av does not load)
 * @throws `signal.reason` when the signal was aborted before the decode began
 */
export async function decodeInThisThread(
  request: NodeAvRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<NodeAvReply> {
  loading ??= loadLibav();
  const libav = await loading;
  if (typeof libav === 'string') return { kind: 'unavailable', reason: libav };
  if (signal.aborted) throw signal.reason;
  const deadline = performance.now() + timeoutMs;
  const reply = decodeWithLibav(
    libav,
    request,
    () => signal.aborted || performance.now() > deadline,
  );
  if (reply.kind === 'stopped') await new Promise((resolve) => setTimeout(resolve, 1));
  return reply;
}
