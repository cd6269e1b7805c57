/**
 * A short clip decoded in two halves at once. A voice note is decoded on a decode thread while the
 * engine's thread and the second core wait for its PCM: on two cores, the first half on one decode
 * thread and the second on another take about half the time. The second half's decode seeks to
 * its start with the decoder's usual pre-roll (core/audio/node-av-decode.ts), so the joined PCM is
 * that of one decode but for the few samples where the sample-rate converter starts afresh
 * (docs/benchmarks.md has the figures; test/audio/decode-halves.test.ts compares them on real
 * audio).
 *
 * It applies to Ogg Vorbis and Ogg Opus files, whose duration two small reads give
 * (`oggDurationS`), of {@link HALVES_MIN_S} seconds up to the decode's `maxAnalysedS`, decoded from
 * their start on decode threads (not in place), on a machine of two cores or more, unless the
 * caller asks for one decode (`DecodeOptions.halves: false`).
 *
 * @module
 */
import os from 'node:os';
import type { Limits } from './decode-options.js';
import type { NodeAvReply, NodeAvRequest } from './node-av-protocol.js';
import { oggDurationS } from './ogg-duration.js';

/** Shortest clip decoded in halves, seconds: below it the second thread's start-up outweighs it. */
export const HALVES_MIN_S = 4;

/**
 * Where to cut a decode in two, or null to decode in one piece.
 *
 * @param file - absolute path of a regular file
 * @param limits - the decode's limits
 * @param onThreads - whether the decode runs on decode threads (false: in place, one thread)
 * @param cores - cores available (default `os.availableParallelism()`)
 * @returns the second half's start in the source, or null: the whole second nearest the clip's
 *   middle, so that it falls on a sample of both the source's and the output's rate (a cut between
 *   the output's samples would shift the second half by a fraction of a sample)
 */
export async function halvesAt(
  file: string,
  limits: Limits,
  onThreads: boolean,
  cores = os.availableParallelism(),
): Promise<number | null> {
  if (!limits.halves || !onThreads || cores < 2 || limits.startS !== 0) return null;
  const durationS = await oggDurationS(file).catch(() => null);
  if (durationS === null || durationS < HALVES_MIN_S) return null;
  if (durationS > limits.maxAnalysedS || durationS > limits.maxDurationS) return null;
  return Math.round(durationS / 2);
}

/**
 * The two requests of a decode cut at `atS`: the first half from the start, the second from
 * `atS` to where the whole decode would stop (`maxAnalysedS`).
 *
 * @param request - the one-piece request (from the start of the source)
 * @param atS - the cut, seconds (0 < atS < request.maxAnalysedS)
 * @returns the first and second halves' requests, one span each
 */
export function halfRequests(request: NodeAvRequest, atS: number): [NodeAvRequest, NodeAvRequest] {
  return [
    { ...request, startS: 0, maxAnalysedS: atS, segments: 1 },
    { ...request, startS: atS, maxAnalysedS: request.maxAnalysedS - atS, segments: 1 },
  ];
}

/**
 * The reply one decode would have given, from the replies of its two halves: their PCM end to
 * end, one span from the start as long as both, corrupt when either was, the bytes of both.
 *
 * @param first - the first half's reply
 * @param second - the second half's reply
 * @returns the joined reply, or null when either half was not decoded (then decode in one piece,
 *   which gives the error or probe a single decode gives)
 */
export function joinHalves(first: NodeAvReply, second: NodeAvReply): NodeAvReply | null {
  if (first.kind !== 'decoded' || second.kind !== 'decoded') return null;
  const [a, b] = [first.spans[0], second.spans[0]];
  if (!a || !b || first.spans.length !== 1 || second.spans.length !== 1) return null;
  const pcm = new Float32Array(first.pcm.length + second.pcm.length);
  pcm.set(first.pcm);
  pcm.set(second.pcm, first.pcm.length);
  return {
    kind: 'decoded',
    probe: first.probe,
    spans: [{ startS: 0, lengthS: a.lengthS + b.lengthS }],
    pcm,
    lengths: [pcm.length],
    corrupt: first.corrupt || second.corrupt,
    readBytes: first.readBytes + second.readBytes,
  };
}
