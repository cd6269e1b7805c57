/**
 * The fallback decoder: the ffmpeg program, where node-av is not installed or does not load.
 *
 * ffmpeg runs as a child process (`node:child_process`, no shell) with only the `file:` protocol
 * allowed, so a crafted playlist cannot make it fetch URLs. No ffprobe is needed: the first run
 * decodes from the start at log level info, and its log describes the input (format,
 * `Duration:`, streams; see `probe.ts`). When that says the source is longer than `maxAnalysedS`,
 * the run is stopped and the segments are decoded in parallel with `-ss`/`-t` (input seeking), one
 * ffmpeg each. Output is capped in bytes (`runProcess`), and the caller's signal kills the process
 * group when the time cap runs out.
 *
 * @module
 */
import { clipToUnitRange } from '../dsp/clip.js';
import { assemble, checkProbe } from './decode-checks.js';
import { truncated, unreadable } from './decode-messages.js';
import type { DecodedAudio, Limits } from './decode-options.js';
import { resolveFfmpeg } from './ffmpeg.js';
import { parseProbeOutput } from './probe.js';
import { runProcess } from './process.js';
import { planSegments, type SegmentSpan } from './segment-plan.js';

/** What the caller learnt from the file's bytes (see `inspectContainer`). */
export interface FileHints {
  /** A streamed WAV: its short last packet is no sign of truncation. */
  readonly streamedWav: boolean;
  /** Bytes of a large ID3v2 tag to skip, or 0. */
  readonly id3Bytes: number;
}

/** ffmpeg messages that mean the data ended before the container said it would. */
const END_OF_DATA =
  /Packet corrupt|corrupt input packet|File ended prematurely|filesize and duration do not match/;

/**
 * Decodes a regular file with the ffmpeg program.
 *
 * @param file - absolute path of a regular file, not truncated by `inspectContainer`
 * @param size - its size, bytes
 * @param name - display name for messages
 * @param limits - the decode's limits
 * @param hints - see {@link FileHints}
 * @param signal - aborting kills ffmpeg (SIGKILL to its process group) and rejects with the reason
 * @returns mono PCM, `decodedBy: 'ffmpeg'`
 * @throws SynestheteError `E_DECODE`, `E_INPUT_DURATION` (see `decode-checks.ts`),
 *   `E_FFMPEG_MISSING`; `signal.reason` when aborted
 */
export async function decodeWithFfmpeg(
  file: string,
  size: number,
  name: string,
  limits: Limits,
  hints: FileHints,
  signal: AbortSignal,
): Promise<DecodedAudio> {
  const ffmpeg = await resolveFfmpeg();
  const endOfData = (log: string): boolean => !hints.streamedWav && END_OF_DATA.test(log);
  // One run both describes the input (its info-level log) and decodes it from the start; only a
  // source longer than maxAnalysedS needs a second round (the segments).
  const run = { ffmpeg: ffmpeg.path, file, skip: hints.id3Bytes, rate: limits.sampleRate };
  const first = await decodeFromStart(run, limits, signal);
  const probe = parseProbeOutput(first.log);
  checkProbe(probe, size, limits, name);
  if (endOfData(first.log)) throw truncated(name, 'ffmpeg: end of data', first.log);

  let spans: SegmentSpan[] = [{ startS: limits.startS, lengthS: limits.maxAnalysedS }];
  let results: SpanResult[];
  if (first.pcm !== null) {
    results = [{ pcm: first.pcm, code: first.code, stderr: first.log }];
  } else {
    spans = planSegments(probe.durationS, limits.maxAnalysedS, limits.segments);
    const settled = await Promise.allSettled(spans.map((span) => decodeSpan(run, span, signal)));
    results = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      results.push(result.value);
    }
  }
  const parts: Float32Array[] = [];
  for (const { code, stderr, pcm } of results) {
    if (code !== 0) throw unreadable(name, 'not an audio file or corrupt', stderr);
    if (endOfData(stderr)) throw truncated(name, 'ffmpeg: end of data', stderr);
    clipToUnitRange(pcm);
    parts.push(pcm);
  }
  return assemble(parts, spans, probe, limits, name, 'ffmpeg');
}

/** One ffmpeg invocation's fixed inputs. */
interface Run {
  readonly ffmpeg: string;
  readonly file: string;
  /** Bytes skipped at the start (`-skip_initial_bytes`). */
  readonly skip: number;
  readonly rate: number;
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
 * (to be segmented) or than `maxDurationS` (to be refused) stops the run.
 */
async function decodeFromStart(run: Run, limits: Limits, signal: AbortSignal): Promise<FirstPass> {
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
    const result = await decodeSpan(run, span, local.signal, (l) => {
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
  run: Run,
  span: SegmentSpan,
  signal: AbortSignal,
  onLog?: (log: string) => void,
): Promise<SpanResult> {
  // The info level prints the input description, which `parseProbeOutput` reads.
  const level = onLog ? 'info' : 'warning';
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', level];
  args.push('-protocol_whitelist', 'file');
  if (run.skip > 0) args.push('-skip_initial_bytes', String(run.skip));
  if (span.startS > 0) args.push('-ss', span.startS.toFixed(3));
  args.push('-t', span.lengthS.toFixed(3), '-i', `file:${run.file}`);
  args.push('-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(run.rate));
  args.push('-f', 'f32le', 'pipe:1');
  const maxSamples = Math.ceil((span.lengthS + 1) * run.rate);
  const result = await runProcess(run.ffmpeg, args, {
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
