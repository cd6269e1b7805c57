/**
 * Decodes any audio FFmpeg reads (MP3, Ogg Vorbis/Opus, FLAC, WAV, M4A/AAC, WebM, video files
 * with sound, …) to mono Float32 PCM at one sample rate, with caps on bytes, duration and time.
 *
 * Decoders are a short list tried in order (after bliss-rs's `Decoder` trait): FFmpeg's libraries
 * in process (node-av, on a decode thread: `decoder-node-av.ts`), then the ffmpeg program
 * (`decoder-ffmpeg.ts`) as the one fallback, used only where node-av is not installed, does not
 * load or is turned off (`SYNESTHETE_LIBAV=0`); the fallback's reason is logged once per process.
 * A file the first decoder refuses is refused: both use the same FFmpeg code and the same checks
 * (`decode-checks.ts`), so the answer would not change. Every result says which decoder made it
 * (`decodedBy`).
 *
 * Before any decoder runs, the input must be a regular file (or bytes, written to a private
 * temporary file, `temp-file.ts`) within the byte cap, and its first and last bytes are read for
 * truncation, a streamed WAV and a large ID3v2 tag (`container-check.ts`). The time cap covers
 * everything after that: when it runs out the decode thread or the ffmpeg process is ended and the
 * promise rejects at once.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SynestheteError } from '../util/errors.js';
import { inspectContainer } from './container-check.js';
import { displayName, formatBytes, formatSeconds, truncated } from './decode-messages.js';
import {
  type DecodedAudio,
  type DecodeOptions,
  type DecoderName,
  type Limits,
  resolveLimits,
} from './decode-options.js';
import { decodeWithFfmpeg, type FileHints } from './decoder-ffmpeg.js';
import { decodeWithNodeAv, NodeAvUnavailable } from './decoder-node-av.js';
import { type TempInput, writeTempInput } from './temp-file.js';

export {
  DECODE_DEFAULTS,
  type DecodedAudio,
  type DecodedSegment,
  type DecodeOptions,
  type DecoderName,
} from './decode-options.js';

/** One decoder of the list: decodes a checked regular file, or throws. */
interface Decoder {
  readonly name: DecoderName;
  decode(
    file: string,
    size: number,
    name: string,
    limits: Limits,
    hints: FileHints,
    signal: AbortSignal,
  ): Promise<DecodedAudio>;
}

/** The decoders in the order they are tried. */
const DECODERS: readonly Decoder[] = [
  { name: 'node-av', decode: decodeWithNodeAv },
  { name: 'ffmpeg', decode: decodeWithFfmpeg },
];

/** Why node-av is not used in this process, once known (logged once). */
let nodeAvUnavailable: string | undefined;

/**
 * Why the first decoder (node-av) is not used in this process, or null when it is (or has not
 * been tried yet). For `synesthete doctor` and the benchmarks.
 *
 * @returns the reason, one line, or null
 */
export function fallbackReason(): string | null {
  return nodeAvUnavailable ?? null;
}

const TIMEOUT = Symbol('decode timeout');

/**
 * Decodes an audio file or byte buffer to mono Float32 PCM.
 *
 * @param input - a file path, or the file's bytes
 * @param options - sample rate and caps, see {@link DecodeOptions} and `DECODE_DEFAULTS`
 * @returns PCM of at most `maxAnalysedS` seconds: the whole source when it fits, otherwise
 *   `segments` equal stretches spread over the whole source (see `planSegments`), and the name of
 *   the decoder that made it
 * @throws SynestheteError `E_NOT_FOUND` (no such file, or not a regular file), `E_INPUT_EMPTY`
 *   (0 bytes), `E_INPUT_TOO_LARGE` (over `maxBytes`), `E_INPUT_DURATION` (longer than
 *   `maxDurationS`, or under `minDurationS` decoded), `E_DECODE` (not audio, a picture, no audio
 *   track, corrupt, truncated, unreadable: a one-line message saying what to do, the decoder's
 *   output kept as `cause`), `E_DECODE_TIMEOUT` (over `timeoutMs`; the decoder stopped, temporary
 *   files removed), `E_FFMPEG_MISSING` (neither decoder available), `E_CONFIG` (invalid options);
 *   `signal.reason` when aborted
 */
export async function decodeAudio(
  input: string | Uint8Array,
  options: DecodeOptions,
): Promise<DecodedAudio> {
  const limits = resolveLimits(options);
  const name = displayName(input, options.name);
  const outer = options.signal;
  if (outer?.aborted) throw outer.reason;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), limits.timeoutMs);
  const onAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let temp: TempInput | undefined;
  try {
    let file: string;
    let size: number;
    if (typeof input === 'string') {
      file = path.resolve(input);
      size = await regularFileSize(file, name);
      checkSize(size, name, limits.maxBytes);
    } else {
      size = input.byteLength;
      checkSize(size, name, limits.maxBytes);
      temp = await writeTempInput(input, options.name, options.tmpRoot);
      file = temp.path;
    }
    const facts = await inspectContainer(file, size).catch((error: unknown) => {
      throw fileError(error, name);
    });
    if (facts.truncated !== null) throw truncated(name, facts.truncated, '');
    return await runDecoders(file, size, name, limits, facts, options.decoder, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) {
      if (controller.signal.reason === TIMEOUT) {
        throw new SynestheteError(
          'E_DECODE_TIMEOUT',
          `decoding ${name} took longer than ${formatSeconds(limits.timeoutMs / 1000)} and was stopped; send a shorter clip or a common format (MP3, Ogg, M4A)`,
          { cause: error === TIMEOUT ? undefined : error },
        );
      }
      throw controller.signal.reason;
    }
    throw error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    await temp?.cleanup();
  }
}

/** Tries the decoders in order; only "node-av cannot run here" moves on to the next. */
async function runDecoders(
  file: string,
  size: number,
  name: string,
  limits: Limits,
  hints: FileHints,
  only: DecoderName | undefined,
  signal: AbortSignal,
): Promise<DecodedAudio> {
  for (const decoder of DECODERS) {
    if (only !== undefined && decoder.name !== only) continue;
    if (only === undefined && decoder.name === 'node-av' && nodeAvUnavailable !== undefined) {
      continue;
    }
    try {
      return await decoder.decode(file, size, name, limits, hints, signal);
    } catch (error) {
      if (!(error instanceof NodeAvUnavailable)) throw error;
      if (signal.aborted) throw signal.reason;
      if (only === 'node-av') {
        throw new SynestheteError('E_DECODE', `node-av cannot decode here: ${error.message}`, {
          cause: error,
        });
      }
      if (nodeAvUnavailable === undefined) {
        nodeAvUnavailable = error.message;
        console.warn(`synesthete: decoding with the ffmpeg program instead: ${error.message}`);
      }
    }
  }
  throw new SynestheteError('E_FFMPEG_MISSING', 'no decoder is available');
}

/**
 * The size of a regular file, following symbolic links (a FIFO, a device such as /dev/zero, or a
 * folder is refused before anything opens it).
 *
 * @throws SynestheteError `E_NOT_FOUND` (missing, or not a regular file), `E_DECODE` (cannot be
 *   read: permissions)
 */
async function regularFileSize(file: string, name: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      const what = info.isDirectory()
        ? 'a folder'
        : 'not a regular file (a device, FIFO or socket)';
      throw new SynestheteError(
        'E_NOT_FOUND',
        `${name} is ${what}; give the path of an audio file`,
      );
    }
    return info.size;
  } catch (error) {
    if (error instanceof SynestheteError) throw error;
    throw fileError(error, name);
  }
}

/**
 * A file system error as a one-line coded error.
 *
 * @param error - what `stat` or `open` threw
 * @param name - display name
 * @returns `E_NOT_FOUND` (ENOENT, ENOTDIR), or `E_DECODE` saying what to do (EACCES, EPERM, …)
 */
function fileError(error: unknown, name: string): SynestheteError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SynestheteError('E_NOT_FOUND', `no such file: ${name}`, { cause: error });
  }
  return new SynestheteError(
    'E_DECODE',
    code === 'EACCES' || code === 'EPERM'
      ? `could not read ${name}: permission denied; make the file readable (chmod a+r) and try again`
      : `could not read ${name} (${code ?? String(error)})`,
    { cause: error },
  );
}

function checkSize(size: number, name: string, maxBytes: number): void {
  if (size === 0) throw new SynestheteError('E_INPUT_EMPTY', `${name} is empty (0 bytes)`);
  if (size > maxBytes) {
    throw new SynestheteError(
      'E_INPUT_TOO_LARGE',
      `${name} is too large (${formatBytes(size)}); the limit is ${formatBytes(maxBytes)}`,
    );
  }
}
