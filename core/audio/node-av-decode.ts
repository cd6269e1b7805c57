/**
 * Decoding with FFmpeg's own libraries in process (node-av: N-API bindings with FFmpeg linked into
 * a prebuilt binary, an optional dependency). Runs on a decode thread (`node-av-worker.ts`), never
 * on the engine's thread: every call here is synchronous.
 *
 * It does what `ffmpeg -ss S -t T -i file -map 0:a:0 -ac 1 -ar R -f f32le` does, with the same
 * libraries: the demuxer (probed from the content, `file:` protocol only) seeks to before `S`,
 * the decoder runs from there, and a filter graph like the program's keeps the samples from `S`
 * for `T` seconds, mixes the channels down as libswresample does for `-ac 1` and converts the rate.
 * A source longer than `maxAnalysedS` is decoded as `segments` spans spread over it
 * (`planSegments`), one seek each, as the program path runs one ffmpeg per span.
 *
 * Limits, checked between packets whatever the container claims: the output is at most the
 * spans' length (plus one second each) of samples, and ends 2 s (or 5 %) after a declared
 * duration however much audio the packets hold; the demuxer reads at most `maxReadBytes`; the
 * stream probe is capped (`probesize`, `analyzeduration`). The wall-time cap is the engine's: it
 * raises the thread's stop flag, read between packets (`stopped`).
 *
 * @module
 */

import { clipToUnitRange } from '../dsp/clip.js';
import { debugFailure } from '../util/debug-log.js';
import type { NodeAvProbe, NodeAvReply, NodeAvRequest } from './node-av-protocol.js';
import { planSegments, type SegmentSpan } from './segment-plan.js';

type NodeAvLib = typeof import('node-av/lib');
type NodeAvConstants = typeof import('node-av/constants');

/** The loaded bindings. */
export interface Libav {
  readonly lib: NodeAvLib;
  readonly constants: NodeAvConstants;
}

/**
 * Loads FFmpeg's bindings (node-av) in this thread, with FFmpeg's own log silenced (every failure
 * is reported through the reply instead).
 *
 * @returns the bindings, or why they cannot be used here (one line: `SYNESTHETE_LIBAV=0`, or the
 *   module's load error)
 */
export async function loadLibav(): Promise<Libav | string> {
  if (process.env.SYNESTHETE_LIBAV === '0') return 'turned off by SYNESTHETE_LIBAV=0';
  try {
    const [lib, constants] = await Promise.all([
      import('node-av/lib'),
      import('node-av/constants'),
    ]);
    lib.Log.setLevel(constants.AV_LOG_QUIET);
    return { lib, constants };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `node-av did not load (${message})`;
  }
}

/** Bytes the demuxer may read to identify the streams (FFmpeg's default is 5,000,000). */
const PROBE_BYTES = 5_000_000;
/** Microseconds of media the stream probe may read (FFmpeg's default is 5 s). */
const ANALYZE_US = 5_000_000;
/** Samples per frame out of the filter graph: few frames cross into JavaScript. */
const GRAPH_FRAME_SAMPLES = 65_536;
/** Audio decoded past a declared duration, at least (seconds) and as a fraction of it. */
const DECLARED_SLACK_S = 2;
const DECLARED_SLACK_FRACTION = 0.05;
/** Seconds decoded before a span's start after a seek (Opus needs 80 ms of pre-roll). */
const PREROLL_S = 0.5;

/**
 * Decodes one request (see {@link NodeAvRequest}) to mono Float32 PCM clipped to [-1, 1].
 *
 * @param libav - the bindings
 * @param request - file, rate, spans and limits
 * @param stopped - read between packets: true when the engine has given this decode up
 * @returns the reply to send back (`stopped` once `stopped()` is true); never throws for a bad
 *   file (an exception from the bindings becomes `unreadable`)
 */
export function decodeWithLibav(
  libav: Libav,
  request: NodeAvRequest,
  stopped: () => boolean = () => false,
): NodeAvReply {
  const { lib, constants: c } = libav;
  const format = new lib.FormatContext();
  let opened = false;
  try {
    const options = lib.Dictionary.fromObject({
      protocol_whitelist: 'file',
      probesize: String(PROBE_BYTES),
      analyzeduration: String(ANALYZE_US),
      ...(request.skipBytes > 0 ? { skip_initial_bytes: String(request.skipBytes) } : {}),
    });
    const openCode = format.openInputSync(`file:${request.file}`, null, options);
    options.free();
    if (openCode < 0) return { kind: 'unreadable', reason: errorText(lib, openCode) };
    opened = true;
    // Declared by the container itself (before the stream probe estimates one from the bitrate).
    const declared =
      format.duration !== c.AV_NOPTS_VALUE ||
      format.streams.some((s) => s.duration !== c.AV_NOPTS_VALUE);
    const infoCode = format.findStreamInfoSync(null);
    if (infoCode < 0) return { kind: 'unreadable', reason: errorText(lib, infoCode) };
    if (stopped()) return { kind: 'stopped' };
    const probe = describe(libav, format, declared);
    const index = format.findBestStream(c.AVMEDIA_TYPE_AUDIO);
    if (probe.audioStreams === 0 || index < 0) return { kind: 'probed', probe };
    const { durationS } = probe;
    if (durationS !== null && durationS > request.maxDurationS) return { kind: 'probed', probe };
    if (durationS !== null && !probe.durationEstimated && request.startS >= durationS) {
      return { kind: 'probed', probe };
    }
    const planned: SegmentSpan[] =
      request.startS > 0 || request.segments <= 1
        ? [{ startS: request.startS, lengthS: request.maxAnalysedS }]
        : planSegments(durationS, request.maxAnalysedS, request.segments);
    return decodeSpans(
      libav,
      format,
      index,
      probe,
      withinDeclared(planned, probe),
      request,
      stopped,
    );
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    if (opened) format.closeInputSync();
    else format.freeContext();
  }
}

/**
 * Spans cut to end a little after the declared duration: packets that hold more audio than the
 * container says (a stream of tiny packets under a short last granule) are not decoded past it.
 * An estimated duration is not trusted for this.
 */
function withinDeclared(spans: SegmentSpan[], probe: NodeAvProbe): SegmentSpan[] {
  const { durationS } = probe;
  if (durationS === null || probe.durationEstimated) return spans;
  const end = durationS + Math.max(DECLARED_SLACK_S, DECLARED_SLACK_FRACTION * durationS);
  return spans.map((s) => ({ startS: s.startS, lengthS: Math.min(s.lengthS, end - s.startS) }));
}

/** FFmpeg's text for an error code, e.g. "Invalid data found when processing input". */
function errorText(lib: NodeAvLib, code: number): string {
  try {
    return lib.FFmpegError.strerror(code);
  } catch (error) {
    debugFailure(`describing FFmpeg error ${code}`, error);
    return `FFmpeg error ${code}`;
  }
}

/** The container's facts in the shape of the program path's probe. */
function describe(
  { constants: c }: Libav,
  format: InstanceType<NodeAvLib['FormatContext']>,
  declared: boolean,
): NodeAvProbe {
  let audioStreams = 0;
  let hasVideo = false;
  for (const stream of format.streams) {
    const type = stream.codecpar.codecType;
    if (type === c.AVMEDIA_TYPE_AUDIO) audioStreams++;
    else if (
      type === c.AVMEDIA_TYPE_VIDEO &&
      (stream.disposition & c.AV_DISPOSITION_ATTACHED_PIC) === 0
    ) {
      hasVideo = true;
    }
  }
  const us = format.duration;
  // In hundredths of a second, as the program prints it ("Duration: 00:01:14.08").
  const durationS = us === c.AV_NOPTS_VALUE || us < 0n ? null : Math.round(Number(us) / 1e4) / 100;
  return {
    format: format.iformat?.name ?? null,
    durationS,
    durationEstimated: durationS !== null && !declared,
    audioStreams,
    hasVideo,
  };
}

/** Decodes every span of stream `index`; see {@link decodeWithLibav}. */
function decodeSpans(
  libav: Libav,
  format: InstanceType<NodeAvLib['FormatContext']>,
  index: number,
  probe: NodeAvProbe,
  spans: SegmentSpan[],
  request: NodeAvRequest,
  stopped: () => boolean,
): NodeAvReply {
  const { lib } = libav;
  const stream = format.streams[index];
  const decoder = stream && lib.Codec.findDecoder(stream.codecpar.codecId);
  if (!stream || !decoder) return { kind: 'unreadable', reason: 'no decoder for the audio stream' };
  const codec = new lib.CodecContext();
  const packet = new lib.Packet();
  const frame = new lib.Frame();
  const out = new lib.Frame();
  packet.alloc();
  frame.alloc();
  out.alloc();
  try {
    codec.allocContext3(decoder);
    if (codec.parametersToContext(stream.codecpar) < 0) {
      return { kind: 'unreadable', reason: 'the audio stream parameters are invalid' };
    }
    codec.pktTimebase = stream.timeBase;
    codec.threadCount = 1;
    const openCode = codec.open2Sync(decoder, null);
    if (openCode < 0) return { kind: 'unreadable', reason: errorText(lib, openCode) };

    const rate = request.sampleRate;
    // Room for what the spans will hold, when the container says how long it is: growing a
    // buffer of a whole track by doubling copies it and touches fresh pages several times over.
    const capS = spans.reduce((n, s) => n + s.lengthS + 1, 0);
    const expectS =
      probe.durationS === null ? INITIAL_OUTPUT_S : Math.min(capS, probe.durationS + 1);
    const output = new GrowingPcm(Math.ceil(Math.max(INITIAL_OUTPUT_S, expectS) * rate));
    const lengths: number[] = [];
    const state = { corrupt: false, readBytes: 0 };
    for (const span of spans) {
      const cap = Math.ceil((span.lengthS + 1) * rate);
      const got = decodeSpan(libav, { format, codec, packet, frame, out }, index, span, request, {
        pcm: output,
        cap,
        state,
        format: probe.format,
        stopped,
      });
      if (got === 'read-limit') return { kind: 'read-limit', readBytes: state.readBytes };
      if (got === 'stopped') return { kind: 'stopped' };
      lengths.push(got);
    }
    const result = clipToUnitRange(output.take());
    return {
      kind: 'decoded',
      probe,
      spans,
      pcm: result,
      lengths,
      corrupt: state.corrupt,
      readBytes: state.readBytes,
    };
  } finally {
    out.free();
    frame.free();
    packet.free();
    codec.freeContext();
  }
}

interface Objects {
  readonly format: InstanceType<NodeAvLib['FormatContext']>;
  readonly codec: InstanceType<NodeAvLib['CodecContext']>;
  readonly packet: InstanceType<NodeAvLib['Packet']>;
  readonly frame: InstanceType<NodeAvLib['Frame']>;
  readonly out: InstanceType<NodeAvLib['Frame']>;
}

/**
 * Seconds of output room allocated first where the container gives no duration; it doubles as
 * needed, up to the spans' caps.
 */
const INITIAL_OUTPUT_S = 30;

/** Mono samples appended span after span, in a buffer that grows by doubling. */
class GrowingPcm {
  #buffer: Float32Array;
  #length = 0;

  constructor(initial: number) {
    this.#buffer = new Float32Array(Math.max(1024, initial));
  }

  /** Samples so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends `samples`. */
  append(samples: Float32Array): void {
    const needed = this.#length + samples.length;
    if (needed > this.#buffer.length) {
      const grown = new Float32Array(Math.max(needed, 2 * this.#buffer.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(samples, this.#length);
    this.#length = needed;
  }

  /**
   * The samples: a view of the buffer from its start, not a copy (a copy of a whole track touches
   * as many fresh pages again); the room left after them was never written, so it holds no memory.
   */
  take(): Float32Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

/**
 * Decodes one span, appending at most `cap` samples to `pcm`.
 *
 * @returns the number of samples appended, 'read-limit' when the demuxer read too much, or
 *   'stopped' when the engine gave the decode up
 */
function decodeSpan(
  { lib, constants: c }: Libav,
  { format, codec, packet, frame, out }: Objects,
  index: number,
  span: SegmentSpan,
  request: NodeAvRequest,
  sink: {
    pcm: GrowingPcm;
    /** The most samples this span may append. */
    cap: number;
    state: { corrupt: boolean; readBytes: number };
    /** The demuxer's name ("ogg", "aac", …). */
    format: string | null;
    /** True when the engine has given the decode up. */
    stopped: () => boolean;
  },
): number | 'read-limit' | 'stopped' {
  const stream = format.streams[index]!;
  const tb = stream.timeBase;
  const seekS = span.startS - PREROLL_S;
  if (span.startS > 0) {
    const at = seekS > 0 ? BigInt(Math.floor((seekS * tb.den) / tb.num)) : 0n;
    // A failed seek decodes from where the demuxer is; the trim still finds the span by timestamp.
    format.seekFrameSync(index, at, c.AVSEEK_FLAG_BACKWARD);
    codec.flushBuffers();
  }
  let graph: InstanceType<NodeAvLib['FilterGraph']> | null = null;
  let ends: GraphEnds | null = null;
  let written = 0;
  let ended = false;
  let lastPos = format.pbBytes;
  const { pcm, cap, state } = sink;
  const drain = (): void => {
    if (!ends) return;
    for (;;) {
      const got = ends.sink.buffersinkGetFrameSync(out);
      if (got === c.AVERROR_EOF) {
        ended = true;
        return;
      }
      if (got < 0) return; // EAGAIN: needs more input
      const count = out.nbSamples;
      const plane = out.data?.[0];
      if (plane && count > 0) {
        const n = Math.min(count, cap - written);
        pcm.append(new Float32Array(plane.buffer, plane.byteOffset, n));
        written += n;
        if (n < count) ended = true; // the output cap
      }
      out.unref();
      if (ended) return;
    }
  };
  /** Moves decoded frames into the graph; true when the decoder reported an error. */
  const push = (): boolean => {
    for (;;) {
      const got = codec.receiveFrameSync(frame);
      // EAGAIN, EOF, or a decoding error (skipped, as the program does).
      if (got < 0) return got !== c.AVERROR_EAGAIN && got !== c.AVERROR_EOF;
      if (frame.decodeErrorFlags !== 0 || (frame.flags & c.AV_FRAME_FLAG_CORRUPT) !== 0) {
        state.corrupt = true;
      }
      if (frame.pts === c.AV_NOPTS_VALUE) frame.pts = frame.bestEffortTimestamp;
      if (!graph) {
        graph = new lib.FilterGraph();
        graph.alloc();
        graph.nbThreads = 1;
        ends = buildGraph(lib, graph, frame, tb, span, request.sampleRate);
        if (!ends) {
          frame.unref();
          ended = true;
          return false;
        }
      }
      const added = ends!.source.buffersrcAddFrameSync(frame);
      frame.unref();
      if (added < 0) {
        // Refused once the trim has passed its end, or a frame whose layout changed mid-stream.
        ended = true;
        return false;
      }
      drain();
      if (ended) return false;
    }
  };
  // Whether the stream's last packet failed to decode: a packet cut short at the end of the file
  // (FFmpeg 8's ADTS demuxer no longer flags it corrupt). Not for Ogg, whose cut is found from its
  // pages, and where valid Vorbis files can end on a packet the decoder refuses.
  let lastFailed = false;
  const watchLast = sink.format !== 'ogg';
  try {
    while (!ended) {
      const read = format.readFrameSync(packet);
      const pos = format.pbBytes;
      if (pos > lastPos) state.readBytes += Number(pos - lastPos);
      lastPos = pos;
      if (state.readBytes > request.maxReadBytes) return 'read-limit';
      if (sink.stopped()) return 'stopped';
      if (read < 0) {
        if (read === c.AVERROR_EOF && lastFailed && watchLast) state.corrupt = true;
        codec.sendPacketSync(null);
        push();
        const graphEnds = ends as GraphEnds | null; // assigned in `push`
        if (graphEnds) {
          graphEnds.source.buffersrcAddFrameSync(null);
          drain();
        }
        break;
      }
      if (packet.streamIndex === index) {
        if ((packet.flags & c.AV_PKT_FLAG_CORRUPT) !== 0) state.corrupt = true;
        const sent = codec.sendPacketSync(packet); // a packet the decoder refuses is skipped
        const failed = push();
        lastFailed = (sent < 0 && sent !== c.AVERROR_EAGAIN) || failed;
      }
      packet.unref();
    }
    return written;
  } finally {
    packet.unref();
    (graph as InstanceType<NodeAvLib['FilterGraph']> | null)?.free();
  }
}

interface GraphEnds {
  readonly source: InstanceType<NodeAvLib['FilterContext']>;
  readonly sink: InstanceType<NodeAvLib['FilterContext']>;
}

/**
 * The filter graph from the decoder's frames to the span, with the filters and default options
 * the program puts there for `-ss S -t T -ac 1 -ar R -f f32le`: `atrim` drops what comes before the
 * span's start (by timestamp) and a second keeps `T` seconds of source samples; libswresample mixes
 * down to mono (first, which halves the rate conversion's work) and then converts the rate;
 * `asetnsamples` hands out large frames.
 *
 * @returns the graph's source and sink, or null when a filter is missing or does not configure
 */
function buildGraph(
  lib: NodeAvLib,
  graph: InstanceType<NodeAvLib['FilterGraph']>,
  first: InstanceType<NodeAvLib['Frame']>,
  tb: { num: number; den: number },
  span: SegmentSpan,
  rate: number,
): GraphEnds | null {
  const inRate = first.sampleRate;
  const layout = first.channelLayout;
  const format = lib.avGetSampleFmtName(
    first.format as Parameters<NodeAvLib['avGetSampleFmtName']>[0],
  );
  if (!format || inRate < 1 || layout.nbChannels < 1) return null;
  const channelLayout =
    layout.mask > 0n && layout.order === 1
      ? `0x${layout.mask.toString(16)}`
      : `${layout.nbChannels}c`;
  const wanted = Math.round(span.lengthS * inRate);
  const chain: Array<[string, string | null]> = [
    [
      'abuffer',
      `time_base=${tb.num}/${tb.den}:sample_rate=${inRate}:sample_fmt=${format}:channel_layout=${channelLayout}`,
    ],
    ...(span.startS > 0 ? [['atrim', `start=${span.startS}`] as [string, string]] : []),
    ['atrim', `end_sample=${wanted}`],
    ['aformat', 'channel_layouts=mono'],
    ...(inRate !== rate ? [['aresample', String(rate)] as [string, string]] : []),
    ['aformat', `sample_fmts=flt:channel_layouts=mono:sample_rates=${rate}`],
    ['asetnsamples', `n=${GRAPH_FRAME_SAMPLES}:p=0`],
    ['abuffersink', null],
  ];
  const contexts = chain.map(([name, args], i) => {
    const filter = lib.Filter.getByName(name);
    return filter ? graph.createFilter(filter, `${name}${i}`, args) : null;
  });
  for (let i = 0; i < contexts.length; i++) {
    const from = contexts[i];
    if (!from) return null;
    const to = contexts[i + 1];
    if (to && from.link(0, to, 0) < 0) return null;
  }
  if (graph.configSync() < 0) return null;
  const source = contexts[0];
  const sink = contexts[contexts.length - 1];
  return source && sink ? { source, sink } : null;
}
