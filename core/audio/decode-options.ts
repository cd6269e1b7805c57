/**
 * The shapes of a decode: its options and their defaults, the limits they resolve to, and the
 * decoded audio with the name of the decoder that made it.
 *
 * @module
 */
import { SynestheteError } from '../util/errors.js';

/** The decoders, in the order they are tried: FFmpeg's libraries in process, then the ffmpeg program. */
export type DecoderName = 'node-av' | 'ffmpeg';

/** Options of `decodeAudio`; everything but `sampleRate` has a default. */
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
   * segmented. Past the end of the source the decode fails with `E_INPUT_DURATION` (too short).
   */
  readonly startS?: number | undefined;
  /**
   * Cap on the whole decode, milliseconds (default 30,000) → `E_DECODE_TIMEOUT`: the decode
   * thread or the ffmpeg process is ended and the caller's place freed when it runs out.
   */
  readonly timeoutMs?: number | undefined;
  /** Cancels the decode: the decoder is stopped and the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Name shown in error messages for byte inputs (e.g. the uploaded file name); its extension is a format hint. */
  readonly name?: string | undefined;
  /** Parent directory of the private temporary directory for byte inputs (default `os.tmpdir()`). */
  readonly tmpRoot?: string | undefined;
  /**
   * Use this decoder only (default: node-av, and the ffmpeg program where node-av is not
   * installed or does not load). For comparisons and tests.
   */
  readonly decoder?: DecoderName | undefined;
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

/** Mono PCM, where it came from, and what decoded it. */
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
  /** The decoder that made `pcm`; 'pcm' when PCM was handed in and only resampled. */
  readonly decodedBy: DecoderName | 'pcm';
}

/** {@link DecodeOptions} with every default applied and checked. */
export interface Limits {
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
 * Applies the defaults and checks every value.
 *
 * @param options - as given
 * @returns the limits
 * @throws SynestheteError `E_CONFIG` naming the first invalid option
 */
export function resolveLimits(options: DecodeOptions): Limits {
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
  if (
    options.decoder !== undefined &&
    options.decoder !== 'node-av' &&
    options.decoder !== 'ffmpeg'
  ) {
    bad(`decoder ${String(options.decoder)}`);
  }
  return limits;
}

/**
 * The most samples a decode with these limits returns: `maxAnalysedS` seconds plus one second per
 * segment of slack (a span ends by timestamp), at `sampleRate`.
 *
 * @param limits - resolved limits
 * @returns a sample count
 */
export function maxOutputSamples(limits: Limits): number {
  return Math.ceil((limits.maxAnalysedS + limits.segments) * limits.sampleRate);
}
