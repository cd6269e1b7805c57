/**
 * The first decoder: FFmpeg's libraries in process (node-av), on a decode thread
 * (`decode-threads.ts`): the engine's thread only posts the request and receives the PCM. A thread
 * that is off the engine's thread already (an ingest analysis thread) decodes in place
 * (`decode-here.ts`).
 *
 * @module
 */
import { SynestheteError } from '../util/errors.js';
import { assemble, checkProbe } from './decode-checks.js';
import { decodeInThisThread, decodesHere } from './decode-here.js';
import { formatBytes, truncated, unreadable } from './decode-messages.js';
import type { DecodedAudio, Limits } from './decode-options.js';
import { DecodeThreadFailure, decodeOnThread } from './decode-threads.js';
import type { FileHints } from './decoder-ffmpeg.js';
import type { AudioProbe } from './probe.js';

/** node-av cannot decode in this process (not installed, does not load, or turned off). */
export class NodeAvUnavailable extends Error {
  /**
   * @param reason - why, one line (e.g. "node-av did not load (Cannot find module …)")
   */
  constructor(reason: string) {
    super(reason);
    this.name = 'NodeAvUnavailable';
  }
}

/**
 * How many bytes the demuxer may read, for a file of `size` bytes: the whole file twice (segments
 * seek back and forth) and 1 MiB of slack, at most `maxBytes` twice.
 */
function readCap(size: number, maxBytes: number): number {
  return Math.min(2 * size + 1024 * 1024, 2 * maxBytes + 1024 * 1024);
}

/**
 * Decodes a regular file with FFmpeg's libraries on a decode thread.
 *
 * @param file - absolute path of a regular file, not truncated by `inspectContainer`
 * @param size - its size, bytes
 * @param name - display name for messages
 * @param limits - the decode's limits
 * @param hints - see {@link FileHints}
 * @param signal - aborting ends the decode thread and rejects with the reason
 * @returns mono PCM, `decodedBy: 'node-av'`
 * @throws NodeAvUnavailable when node-av cannot run here (the caller falls back to the ffmpeg
 *   program); SynestheteError `E_DECODE` (not audio, corrupt, truncated, more memory or bytes
 *   read than allowed), `E_INPUT_DURATION` (see `decode-checks.ts`); `signal.reason` when aborted
 */
export async function decodeWithNodeAv(
  file: string,
  size: number,
  name: string,
  limits: Limits,
  hints: FileHints,
  signal: AbortSignal,
): Promise<DecodedAudio> {
  let reply: Awaited<ReturnType<typeof decodeOnThread>>;
  try {
    const request = {
      file,
      sampleRate: limits.sampleRate,
      startS: limits.startS,
      maxAnalysedS: limits.maxAnalysedS,
      segments: limits.segments,
      maxDurationS: limits.maxDurationS,
      maxReadBytes: readCap(size, limits.maxBytes),
      skipBytes: hints.id3Bytes,
    };
    reply = decodesHere()
      ? await decodeInThisThread(request, signal, limits.timeoutMs)
      : await decodeOnThread(request, signal);
  } catch (error) {
    if (!(error instanceof DecodeThreadFailure)) throw error;
    if (error.outOfMemory) {
      throw new SynestheteError(
        'E_DECODE',
        `could not read audio from ${name}: decoding it needed more memory than allowed; convert it to a plain audio file (e.g. MP3 or FLAC) and try again`,
        { cause: error },
      );
    }
    throw new NodeAvUnavailable(error.message);
  }
  switch (reply.kind) {
    case 'stopped': // only after an abort, whose reason the caller has already received
      throw signal.reason;
    case 'unavailable':
      throw new NodeAvUnavailable(reply.reason);
    case 'unreadable':
      throw unreadable(
        name,
        'not an audio file or corrupt; send an audio file (MP3, Ogg, FLAC, WAV, M4A …)',
        `FFmpeg: ${reply.reason}`,
      );
    case 'read-limit':
      throw new SynestheteError(
        'E_DECODE',
        `could not read audio from ${name}: the decoder read ${formatBytes(reply.readBytes)} of a ${formatBytes(size)} file and was stopped; convert it to a plain audio file and try again`,
      );
    case 'probed': {
      const probe: AudioProbe = { ...reply.probe, log: '' };
      checkProbe(probe, size, limits, name);
      // A probe that passes the checks was not decoded only when it has no usable stream.
      throw unreadable(name, 'no audio stream could be decoded', '');
    }
    case 'decoded': {
      const probe: AudioProbe = { ...reply.probe, log: '' };
      checkProbe(probe, size, limits, name);
      if (reply.corrupt && !hints.streamedWav) {
        throw truncated(name, 'FFmpeg flagged a packet or frame as corrupt', '');
      }
      const parts: Float32Array[] = [];
      let offset = 0;
      for (const length of reply.lengths) {
        parts.push(reply.pcm.subarray(offset, offset + length));
        offset += length;
      }
      return assemble(parts, reply.spans, probe, limits, name, 'node-av');
    }
  }
}
