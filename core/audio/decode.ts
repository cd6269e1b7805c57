/**
 * Decodes any audio ffmpeg reads (MP3, Ogg Vorbis/Opus, FLAC, WAV, M4A/AAC, WebM, video files
 * with sound, …) to mono Float32 PCM at one sample rate, with caps on bytes, duration and time.
 *
 * ffmpeg runs as a child process (`node:child_process`, no shell) with only the `file:` protocol
 * allowed, so a crafted playlist cannot make it fetch URLs. Byte inputs go through a private
 * temporary file (see `temp-file.ts`). No ffprobe is needed: the first ffmpeg run decodes from
 * the start at log level info, and its log describes the input (format, `Duration:`, streams; see
 * `probe.ts`). When that says the source is longer than `maxAnalysedS`, the run is stopped and
 * the segments are decoded in parallel with `-ss`/`-t` (input seeking), one ffmpeg each. So a
 * short clip costs one ffmpeg start-up, a long track 1 + `segments`.
 *
 * Truncation criterion (measured with ffmpeg 5.1 on files cut at half their bytes; ffmpeg exits 0
 * for all of these except an M4A whose index was at the end):
 * - Ogg Vorbis / Ogg Opus: ffmpeg is silent and reports the shortened duration, so the bytes are
 *   checked: the final Ogg page must be complete (`container-check.ts`).
 * - MP3 with a Xing/Info header, FLAC, faststart M4A, WebM: decoded length is well short of the
 *   container's declared duration. Rule: shortfall > max(0.5 s, 2 %) of the expected length
 *   (valid files measured within ±0.05 s), only when the duration is declared, not estimated from
 *   the bitrate, and there is no video stream (a video's audio may legitimately end early).
 * - WAV, ADTS AAC, M4A, WebM: ffmpeg's end-of-data diagnostics "Packet corrupt" / "corrupt input
 *   packet" (a short read of the last packet), "File ended prematurely" (Matroska/WebM),
 *   "filesize and duration do not match" (MP3); and a WAV `data` chunk longer than the file.
 * - M4A with the index (moov) at the end: ffmpeg fails to open it ("moov atom not found").
 * Error-level messages in general are NOT used: valid files print them (e.g. "Error while
 * decoding stream #0:0: Invalid argument" for some Vorbis files, non-monotonic DTS for others).
 * Not detectable: CBR MP3 without a Xing header or ADTS AAC cut on a frame boundary, and Ogg cut
 * exactly on a page boundary; these are indistinguishable from a shorter valid file.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { clipToUnitRange } from '../dsp/clip.js';
import { SynestheteError } from '../errors.js';
import { findContainerTruncation } from './container-check.js';
import { resolveFfmpeg } from './ffmpeg.js';
import { decodeExcerptLibav } from './libav-excerpt.js';
import { decodeOggOpusMono, isOggOpus, type OpusDecoded } from './opus-decode.js';
import { type AudioProbe, parseProbeOutput } from './probe.js';
import { runProcess } from './process.js';
import { planSegments, type SegmentSpan } from './segment-plan.js';
import { type TempInput, writeTempInput } from './temp-file.js';
import { decodeVorbisExcerpt, isOggVorbis } from './vorbis-excerpt.js';

/** Ogg Opus files up to this size are read into memory and decoded in process (~10 min at 128 kbit/s). */
const IN_PROCESS_MAX_BYTES = 10 * 1024 * 1024;

/** Ogg Vorbis files up to this size are read into memory for an in-process excerpt (~35 min at 128 kbit/s). */
const VORBIS_IN_PROCESS_MAX_BYTES = 32 * 1024 * 1024;

/** Options of {@link decodeAudio}; everything but `sampleRate` has a default. */
export interface DecodeOptions {
  /** Output sample rate in Hz (integer, 1,000–384,000), e.g. `LogMelParams.sampleRate`. */
  readonly sampleRate: number;
  /** Byte cap (default 100 MiB) → `E_INPUT_TOO_LARGE`. */
  readonly maxBytes?: number | undefined;
  /** Longest accepted source by its container duration, seconds (default 3 h) → `E_INPUT_DURATION`. */
  readonly maxDurationS?: number | undefined;
  /** Shortest accepted decoded audio, seconds (default 1) → `E_INPUT_DURATION`. */
  readonly minDurationS?: number | undefined;
  /** The most seconds of PCM returned (default 120); longer sources are sampled in segments. */
  readonly maxAnalysedS?: number | undefined;
  /** Number of equal segments spread over a source longer than `maxAnalysedS` (default 6). */
  readonly segments?: number | undefined;
  /**
   * Decode one excerpt of `maxAnalysedS` seconds starting this far into the source, seconds
   * (default 0: from the start, and long sources in `segments`). When > 0 the source is never
   * segmented and the in-process Opus path is skipped: one ffmpeg run with input seeking
   * (`-ss`), so an excerpt from the middle of a track costs one decoder start-up. Choose it from
   * a duration known beforehand (e.g. the file's tags); past the end of the source the decode
   * fails with `E_INPUT_DURATION` (too short).
   */
  readonly startS?: number | undefined;
  /** Cap on the whole decode, milliseconds (default 30,000) → `E_DECODE_TIMEOUT`. */
  readonly timeoutMs?: number | undefined;
  /** Cancels the decode: ffmpeg is killed and the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Name shown in error messages for byte inputs (e.g. the uploaded file name); its extension is a format hint. */
  readonly name?: string | undefined;
  /** Parent directory of the private temporary directory for byte inputs (default `os.tmpdir()`). */
  readonly tmpRoot?: string | undefined;
  /**
   * Decode mono Ogg Opus (voice notes) in process rather than with ffmpeg (default true; see
   * `opus-decode.ts`). Anything that path does not handle still goes through ffmpeg.
   */
  readonly inProcess?: boolean | undefined;
  /**
   * Decode one excerpt of an Ogg Vorbis or Ogg Opus file in process rather than with the ffmpeg
   * program, when `segments` is 1 (default false: the fast ingest profile asks for it;
   * `inProcess: false` overrides it). A file path goes to FFmpeg's libraries in process
   * (`libav-excerpt.ts`, where the optional node-av loads); otherwise, and for bytes, Ogg Vorbis
   * goes to libvorbis in WebAssembly (`vorbis-excerpt.ts`). Anything those paths do not handle
   * still goes through ffmpeg.
   */
  readonly excerptInProcess?: boolean | undefined;
}

/** The defaults of {@link DecodeOptions}. */
export const DECODE_DEFAULTS = {
  maxBytes: 100 * 1024 * 1024,
  maxDurationS: 3 * 3600,
  minDurationS: 1,
  maxAnalysedS: 120,
  segments: 6,
  startS: 0,
  timeoutMs: 30_000,
} as const;

/** Where a stretch of `DecodedAudio.pcm` came from. */
export interface DecodedSegment {
  /** Start of this stretch in the source, seconds. */
  readonly sourceStartS: number;
  /** First sample of this stretch in `pcm`. */
  readonly offset: number;
  /** Number of samples. */
  readonly length: number;
}

/** Mono PCM and where it came from. */
export interface DecodedAudio {
  /** Mono samples in [-1, 1] at `sampleRate`; at most `maxAnalysedS` seconds. */
  readonly pcm: Float32Array;
  /** Sample rate of `pcm`, Hz (the requested one). */
  readonly sampleRate: number;
  /**
   * Duration of the whole source, seconds: the container's, or the decoded length when the
   * container declares none.
   */
  readonly sourceDurationS: number;
  /** Consecutive stretches of `pcm`, in source order; one when the source was not split. */
  readonly segments: DecodedSegment[];
}

/** ffmpeg messages that mean the data ended before the container said it would (see module comment). */
const END_OF_DATA =
  /Packet corrupt|corrupt input packet|File ended prematurely|filesize and duration do not match/;

const TIMEOUT = Symbol('decode timeout');

interface Limits {
  readonly sampleRate: number;
  readonly maxBytes: number;
  readonly maxDurationS: number;
  readonly minDurationS: number;
  readonly maxAnalysedS: number;
  readonly segments: number;
  readonly startS: number;
  readonly timeoutMs: number;
}

/**
 * Decodes an audio file or byte buffer to mono Float32 PCM.
 *
 * @param input - a file path, or the file's bytes
 * @param options - sample rate and caps, see {@link DecodeOptions} and {@link DECODE_DEFAULTS}
 * @returns PCM of at most `maxAnalysedS` seconds: the whole source when it fits, otherwise
 *   `segments` equal stretches spread over the whole source (see `planSegments`)
 * @throws SynestheteError `E_NOT_FOUND` (no such file), `E_INPUT_EMPTY` (0 bytes),
 *   `E_INPUT_TOO_LARGE` (over `maxBytes`), `E_INPUT_DURATION` (longer than `maxDurationS`, or
 *   under `minDurationS` decoded), `E_DECODE` (not audio, no audio track, corrupt, truncated:
 *   one-line message, ffmpeg's output kept as `cause`), `E_DECODE_TIMEOUT` (over `timeoutMs`;
 *   ffmpeg killed with SIGKILL and reaped, temporary files removed), `E_FFMPEG_MISSING`,
 *   `E_CONFIG` (invalid options); `signal.reason` when aborted
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
    let file = typeof input === 'string' ? path.resolve(input) : '';
    let size: number;
    if (typeof input === 'string') {
      size = await fileSize(file, name);
      checkSize(size, name, limits.maxBytes);
    } else {
      size = input.byteLength;
      checkSize(size, name, limits.maxBytes);
    }
    const excerpt =
      options.excerptInProcess === true && options.inProcess !== false && limits.segments === 1;
    if (excerpt && typeof input === 'string') {
      const decoded = await decodeLibavInProcess(file, size, name, limits);
      if (decoded) return decoded;
    }
    if (excerpt && size <= VORBIS_IN_PROCESS_MAX_BYTES) {
      const bytes = typeof input === 'string' ? await readIfOgg(file, size, isOggVorbis) : input;
      const decoded = bytes && (await decodeVorbisInProcess(bytes, name, limits));
      if (decoded) return decoded;
    }
    if (options.inProcess !== false && limits.startS === 0 && size <= IN_PROCESS_MAX_BYTES) {
      const bytes = typeof input === 'string' ? await readIfOgg(file, size, isOggOpus) : input;
      const decoded = bytes && (await decodeInProcess(bytes, name, limits));
      if (decoded) return decoded;
    }
    if (typeof input !== 'string') {
      temp = await writeTempInput(input, options.name, options.tmpRoot);
      file = temp.path;
    }
    return await decodeFile(file, size, name, limits, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) {
      if (controller.signal.reason === TIMEOUT) {
        throw new SynestheteError(
          'E_DECODE_TIMEOUT',
          `decoding ${name} took longer than ${formatSeconds(limits.timeoutMs / 1000)} and was stopped`,
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

/** The first `length` bytes of `file` (fewer when it is shorter). */
async function readHead(file: string, length: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The bytes of `file` when its first bytes pass `accept` (an Ogg Opus or Vorbis file), else null. */
async function readIfOgg(
  file: string,
  size: number,
  accept: (head: Uint8Array) => boolean,
): Promise<Uint8Array | null> {
  if (!accept(await readHead(file, 36))) return null;
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(size);
    const { bytesRead } = await handle.read(bytes, 0, size, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * One excerpt (`startS`, `maxAnalysedS`) of an Ogg Vorbis file decoded in process (see
 * `vorbis-excerpt.ts`), with the same duration and length checks as the ffmpeg path; null for
 * anything it does not handle, which then goes to ffmpeg.
 *
 * @throws SynestheteError `E_INPUT_DURATION` (longer than `maxDurationS`, or shorter than
 *   `minDurationS`), `E_DECODE` (fewer samples than the stream declares)
 */
async function decodeVorbisInProcess(
  bytes: Uint8Array,
  name: string,
  limits: Limits,
): Promise<DecodedAudio | null> {
  if (!isOggVorbis(bytes)) return null;
  const excerpt = await decodeVorbisExcerpt(
    bytes,
    limits.startS,
    limits.maxAnalysedS,
    limits.sampleRate,
  );
  return excerpt && excerptAudio(excerpt.pcm, excerpt.durationS, name, limits, false);
}

/**
 * One excerpt (`startS`, `maxAnalysedS`) of an Ogg Vorbis or Ogg Opus file decoded in process by
 * FFmpeg's libraries (see `libav-excerpt.ts`), with the same duration and length checks as the
 * ffmpeg path; null for anything it does not handle (another format, a cut-off last page, node-av
 * not installed), which then goes to the next path.
 *
 * @throws SynestheteError `E_INPUT_DURATION` (longer than `maxDurationS`, or shorter than
 *   `minDurationS`), `E_DECODE` (fewer samples than the stream declares)
 */
async function decodeLibavInProcess(
  file: string,
  size: number,
  name: string,
  limits: Limits,
): Promise<DecodedAudio | null> {
  const head = await readHead(file, 36);
  if (!isOggVorbis(head) && !isOggOpus(head)) return null;
  // A cut-off file goes to the ffmpeg path, which words the error.
  if ((await findContainerTruncation(file, size)) !== null) return null;
  const excerpt = await decodeExcerptLibav(
    file,
    limits.startS,
    limits.maxAnalysedS,
    limits.sampleRate,
  );
  return excerpt && excerptAudio(excerpt.pcm, excerpt.durationS, name, limits, true);
}

/**
 * An in-process excerpt as `DecodedAudio`: samples clipped to [-1, 1] in place, the source
 * duration in hundredths of a second, and the checks of the ffmpeg path.
 *
 * @param pcm - mono PCM at `limits.sampleRate`, from `limits.startS`
 * @param sourceDurationS - the whole stream's duration, seconds
 * @param clipped - the samples are already in [-1, 1] (no pass over them)
 * @throws SynestheteError `E_INPUT_DURATION`, `E_DECODE` as {@link checkDecodedLength}
 */
function excerptAudio(
  pcm: Float32Array,
  sourceDurationS: number,
  name: string,
  limits: Limits,
  clipped: boolean,
): DecodedAudio {
  if (sourceDurationS > limits.maxDurationS) {
    throw new SynestheteError(
      'E_INPUT_DURATION',
      `${name} is too long (${formatSeconds(sourceDurationS)}); the limit is ${formatSeconds(limits.maxDurationS)}`,
    );
  }
  if (!clipped) clipToUnitRange(pcm);
  // In hundredths of a second, as the ffmpeg path reads it from ffmpeg's log ("Duration:
  // 00:01:14.08"), so a track stores the same duration whichever path decoded it.
  const durationS = Math.round(sourceDurationS * 100) / 100;
  const audio: DecodedAudio = {
    pcm,
    sampleRate: limits.sampleRate,
    sourceDurationS: durationS,
    segments:
      pcm.length > 0 ? [{ sourceStartS: limits.startS, offset: 0, length: pcm.length }] : [],
  };
  const probe: AudioProbe = {
    format: 'ogg',
    durationS,
    durationEstimated: false,
    audioStreams: 1,
    hasVideo: false,
    log: '',
  };
  const spans = [{ startS: limits.startS, lengthS: limits.maxAnalysedS }];
  checkDecodedLength(audio, spans, probe, limits, name);
  return audio;
}

/**
 * Mono Ogg Opus decoded in process (see `opus-decode.ts`), with the same length checks as the
 * ffmpeg path; null for anything it does not handle — other formats, a source longer than
 * `maxAnalysedS` (to be segmented), a stream the decoder refuses — which then goes to ffmpeg.
 *
 * @throws SynestheteError `E_INPUT_DURATION` when shorter than `minDurationS`
 */
async function decodeInProcess(
  bytes: Uint8Array,
  name: string,
  limits: Limits,
): Promise<DecodedAudio | null> {
  if (!isOggOpus(bytes)) return null;
  let decoded: OpusDecoded | null;
  try {
    const longest = Math.min(limits.maxAnalysedS, limits.maxDurationS);
    decoded = await decodeOggOpusMono(bytes, limits.sampleRate, longest);
  } catch {
    return null; // damaged: ffmpeg decides, and words the error
  }
  if (!decoded) return null;
  const audio: DecodedAudio = {
    pcm: decoded.pcm,
    sampleRate: limits.sampleRate,
    sourceDurationS: decoded.durationS,
    segments:
      decoded.pcm.length > 0 ? [{ sourceStartS: 0, offset: 0, length: decoded.pcm.length }] : [],
  };
  const probe: AudioProbe = {
    format: 'ogg',
    durationS: decoded.durationS,
    durationEstimated: false,
    audioStreams: 1,
    hasVideo: false,
    log: '',
  };
  checkDecodedLength(audio, [{ startS: 0, lengthS: limits.maxAnalysedS }], probe, limits, name);
  return audio;
}

async function decodeFile(
  file: string,
  size: number,
  name: string,
  limits: Limits,
  signal: AbortSignal,
): Promise<DecodedAudio> {
  const ffmpeg = await resolveFfmpeg();
  const cut = await findContainerTruncation(file, size);
  if (cut !== null) throw truncated(name, cut, '');

  // One ffmpeg run both describes the input (its info-level log) and decodes it from the start;
  // only a source longer than maxAnalysedS needs a second round (the segments). This saves one
  // ffmpeg start-up (~50–150 ms) for the common short clip.
  const first = await decodeFromStart(ffmpeg.path, file, limits, signal);
  const probe = parseProbeOutput(first.log);
  if (probe.audioStreams === 0) {
    const why =
      probe.format !== null && probe.hasVideo
        ? 'the video has no audio track'
        : 'not an audio file or corrupt';
    throw unreadable(name, why, first.log);
  }
  if (probe.durationS !== null && probe.durationS > limits.maxDurationS) {
    throw new SynestheteError(
      'E_INPUT_DURATION',
      `${name} is too long (${formatSeconds(probe.durationS)}); the limit is ${formatSeconds(limits.maxDurationS)}`,
    );
  }
  if (END_OF_DATA.test(first.log)) throw truncated(name, 'ffmpeg: end of data', first.log);
  // Asked to start past the end, ffmpeg's Ogg demuxer lands on the last page and decodes that.
  if (probe.durationS !== null && !probe.durationEstimated && limits.startS >= probe.durationS) {
    throw startsPastEnd(name, probe.durationS, limits.startS);
  }

  let spans: SegmentSpan[] = [{ startS: limits.startS, lengthS: limits.maxAnalysedS }];
  let results: SpanResult[];
  if (first.pcm !== null) {
    results = [{ pcm: first.pcm, code: first.code, stderr: first.log }];
  } else {
    spans = planSegments(probe.durationS, limits.maxAnalysedS, limits.segments);
    const settled = await Promise.allSettled(
      spans.map((span) => decodeSpan(ffmpeg.path, file, span, limits.sampleRate, signal)),
    );
    results = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      results.push(result.value);
    }
  }
  const parts: Float32Array[] = [];
  for (const { code, stderr, pcm } of results) {
    if (code !== 0) throw unreadable(name, 'not an audio file or corrupt', stderr);
    if (END_OF_DATA.test(stderr)) throw truncated(name, 'ffmpeg: end of data', stderr);
    parts.push(pcm);
  }
  const audio = assemble(parts, spans, limits.sampleRate, probe);
  checkDecodedLength(audio, spans, probe, limits, name);
  return audio;
}

interface SpanResult {
  readonly pcm: Float32Array;
  readonly code: number | null;
  readonly stderr: string;
}

interface FirstPass {
  /** ffmpeg's info-level log: the input description, then warnings and errors. */
  readonly log: string;
  /** PCM of the first `maxAnalysedS` seconds, or null when stopped because the source is longer. */
  readonly pcm: Float32Array | null;
  readonly code: number | null;
}

const TOO_LONG = Symbol('source longer than maxAnalysedS');

/**
 * Decodes from the start while watching the log: as soon as ffmpeg has described the input
 * ("Stream mapping:"/"Output #0" follow the input block), a source longer than `maxAnalysedS`
 * (to be segmented) or than `maxDurationS` (to be rejected) stops the run.
 */
async function decodeFromStart(
  ffmpeg: string,
  file: string,
  limits: Limits,
  signal: AbortSignal,
): Promise<FirstPass> {
  const local = new AbortController();
  const forward = (): void => local.abort(signal.reason);
  if (signal.aborted) forward();
  signal.addEventListener('abort', forward, { once: true });
  let decided = false;
  const watch = (log: string): void => {
    if (decided || !/^(?:Stream mapping:|Output #0)/m.test(log)) return;
    decided = true;
    const { durationS } = parseProbeOutput(log);
    if (durationS === null) return;
    const segment = durationS > limits.maxAnalysedS && limits.segments > 1 && limits.startS === 0;
    if (segment || durationS > limits.maxDurationS) local.abort(TOO_LONG);
  };
  let log = '';
  try {
    const span = { startS: limits.startS, lengthS: limits.maxAnalysedS };
    const result = await decodeSpan(ffmpeg, file, span, limits.sampleRate, local.signal, (l) => {
      log = l;
      watch(l);
    });
    return { log: result.stderr, pcm: result.pcm, code: result.code };
  } catch (error) {
    if (local.signal.reason === TOO_LONG) return { log, pcm: null, code: null };
    throw error;
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

async function decodeSpan(
  ffmpeg: string,
  file: string,
  span: SegmentSpan,
  sampleRate: number,
  signal: AbortSignal,
  onLog?: (log: string) => void,
): Promise<SpanResult> {
  // The info level prints the input description, which `parseProbeOutput` reads.
  const level = onLog ? 'info' : 'warning';
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', level];
  args.push('-protocol_whitelist', 'file');
  if (span.startS > 0) args.push('-ss', span.startS.toFixed(3));
  args.push('-t', span.lengthS.toFixed(3), '-i', `file:${file}`);
  args.push('-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(sampleRate));
  args.push('-f', 'f32le', 'pipe:1');
  const maxSamples = Math.ceil((span.lengthS + 1) * sampleRate);
  const result = await runProcess(ffmpeg, args, {
    signal,
    maxStdoutBytes: maxSamples * 4,
    onStderr: onLog,
  });
  const count = Math.floor(result.stdout.length / 4);
  const pcm = new Float32Array(count);
  // Copy rather than view: the Buffer may not be 4-byte aligned. f32le matches every platform Node supports.
  new Uint8Array(pcm.buffer).set(result.stdout.subarray(0, count * 4));
  const code = result.stdoutTruncated ? 0 : result.code;
  return { pcm, code, stderr: result.stderr };
}

function assemble(
  parts: Float32Array[],
  spans: SegmentSpan[],
  sampleRate: number,
  probe: AudioProbe,
): DecodedAudio {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const pcm = new Float32Array(total);
  const segments: DecodedSegment[] = [];
  let offset = 0;
  parts.forEach((part, i) => {
    pcm.set(part, offset);
    if (part.length > 0) {
      segments.push({ sourceStartS: spans[i]?.startS ?? 0, offset, length: part.length });
    }
    offset += part.length;
  });
  clipToUnitRange(pcm);
  const sourceDurationS = probe.durationS ?? total / sampleRate;
  return { pcm, sampleRate, sourceDurationS, segments };
}

function checkDecodedLength(
  audio: DecodedAudio,
  spans: SegmentSpan[],
  probe: AudioProbe,
  limits: Limits,
  name: string,
): void {
  const gotS = audio.pcm.length / audio.sampleRate;
  if (probe.durationS !== null && !probe.durationEstimated && !probe.hasVideo) {
    const expectedS =
      spans.length === 1
        ? Math.min(probe.durationS - (spans[0]?.startS ?? 0), limits.maxAnalysedS)
        : spans.reduce((s, span) => s + span.lengthS, 0);
    if (expectedS - gotS > Math.max(0.5, 0.02 * expectedS)) {
      const detail = `decoded ${gotS.toFixed(2)} s of ${expectedS.toFixed(2)} s declared`;
      throw truncated(name, detail, probe.log);
    }
  }
  if (gotS < limits.minDurationS) {
    throw new SynestheteError(
      'E_INPUT_DURATION',
      `${name} is too short (${gotS.toFixed(1)} s); send at least ${formatSeconds(limits.minDurationS)} of audio`,
    );
  }
}

function startsPastEnd(name: string, durationS: number, startS: number): SynestheteError {
  return new SynestheteError(
    'E_INPUT_DURATION',
    `${name} is too short (${formatSeconds(durationS)}) for an excerpt from ${formatSeconds(startS)}`,
  );
}

function unreadable(name: string, why: string, log: string): SynestheteError {
  return new SynestheteError('E_DECODE', `could not read audio from ${name}: ${why}`, {
    cause: new Error(`ffmpeg: ${log.trim() || 'no output'}`),
  });
}

function truncated(name: string, detail: string, log: string): SynestheteError {
  return new SynestheteError(
    'E_DECODE',
    `could not read audio from ${name}: truncated or corrupt`,
    {
      cause: new Error(log.trim() ? `${detail}\n${log.trim()}` : detail),
    },
  );
}

async function fileSize(file: string, name: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new SynestheteError('E_NOT_FOUND', `${name} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof SynestheteError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SynestheteError('E_NOT_FOUND', `no such file: ${name}`, { cause: error });
    }
    throw new SynestheteError('E_DECODE', `could not read ${name} (${code ?? 'error'})`, {
      cause: error,
    });
  }
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

function resolveLimits(options: DecodeOptions): Limits {
  const limits: Limits = {
    sampleRate: options.sampleRate,
    maxBytes: options.maxBytes ?? DECODE_DEFAULTS.maxBytes,
    maxDurationS: options.maxDurationS ?? DECODE_DEFAULTS.maxDurationS,
    minDurationS: options.minDurationS ?? DECODE_DEFAULTS.minDurationS,
    maxAnalysedS: options.maxAnalysedS ?? DECODE_DEFAULTS.maxAnalysedS,
    segments: options.segments ?? DECODE_DEFAULTS.segments,
    startS: options.startS ?? DECODE_DEFAULTS.startS,
    timeoutMs: options.timeoutMs ?? DECODE_DEFAULTS.timeoutMs,
  };
  const bad = (what: string): never => {
    throw new SynestheteError('E_CONFIG', `invalid decode option: ${what}`);
  };
  const sr = limits.sampleRate;
  if (!Number.isInteger(sr) || sr < 1000 || sr > 384_000) bad(`sampleRate ${sr}`);
  if (!(limits.maxBytes > 0)) bad(`maxBytes ${limits.maxBytes}`);
  if (!(limits.maxDurationS > 0)) bad(`maxDurationS ${limits.maxDurationS}`);
  if (!(limits.minDurationS >= 0)) bad(`minDurationS ${limits.minDurationS}`);
  if (!(limits.maxAnalysedS > 0 && Number.isFinite(limits.maxAnalysedS))) {
    bad(`maxAnalysedS ${limits.maxAnalysedS}`);
  }
  if (!Number.isInteger(limits.segments) || limits.segments < 1) bad(`segments ${limits.segments}`);
  if (!(limits.startS >= 0 && Number.isFinite(limits.startS))) bad(`startS ${limits.startS}`);
  if (!(limits.timeoutMs > 0)) bad(`timeoutMs ${limits.timeoutMs}`);
  return limits;
}

/** A file name fit for a one-line message: base name only, control characters removed, ≤ 80 chars. */
function displayName(input: string | Uint8Array, name: string | undefined): string {
  const raw = typeof input === 'string' ? path.basename(input) : name ? path.basename(name) : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 80);
  return clean.length > 0 ? clean : 'the input';
}

function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number(s.toFixed(1))} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`.replace(/ 0 s$/, '');
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} bytes`;
}
