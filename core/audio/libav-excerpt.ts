/**
 * One excerpt of an Ogg Vorbis or Ogg Opus file decoded in process by FFmpeg's own libraries —
 * what the `fast` ingest profile needs (core/ingest-profile.ts: 30 s from the middle of a track).
 * The bindings are node-av (N-API, MIT; FFmpeg 8 linked statically into a prebuilt binary that
 * its platform package ships, so nothing is compiled or downloaded at install), an optional
 * dependency: where it is missing or fails to load, {@link decodeExcerptLibav} returns null and
 * the caller decodes as before (libvorbis in WebAssembly for Vorbis, the ffmpeg program otherwise).
 *
 * Why: FFmpeg's Vorbis decoder is about twice as fast as libvorbis compiled to WebAssembly
 * (`vorbis-excerpt.ts`), and in process there is no ffmpeg start-up (70–90 ms of CPU for the
 * program's 215 shared libraries, plus the fork) — measured per 30 s excerpt on the 2-core
 * machine in docs/scaling.md.
 *
 * It does what `ffmpeg -ss S -t T -i file -ac 1 -ar R -f f32le` does, with the same libraries:
 * the Ogg demuxer seeks to a page before `S` (half a second early, so an Opus decoder has its
 * 80 ms pre-roll; Vorbis needs one packet), the decoder runs from there, and a filter graph like
 * the program's (see `buildGraph`) keeps the samples whose timestamps fall in the excerpt, mixes
 * the channels down as libswresample mixes them with ffmpeg's defaults (mono = (L + R) · √½ for
 * stereo, not normalised for float output) and converts the rate where it changes (Opus 48 →
 * 44.1 kHz); the result is clipped to [-1, 1]. Opus's pre-skip is applied by the decoder, as in
 * the program. The decoded frames go from the decoder to the graph without crossing into
 * JavaScript: only the graph's ~20 large output frames are copied out.
 *
 * Anything else returns null — another container or codec, more than 2 channels, a stream that
 * fails to open, seek or decode — and the caller's ffmpeg path decides, and words the error.
 *
 * @module
 */

import { f32View, kernels, withScratch } from '../dsp/kernels.js';

type NodeAvLib = typeof import('node-av/lib');
type NodeAvConstants = typeof import('node-av/constants');

interface Libav {
  readonly lib: NodeAvLib;
  readonly constants: NodeAvConstants;
}

let loading: Promise<Libav | null> | undefined;

/**
 * Loads node-av once per thread; null when it is not installed, does not load on this platform,
 * or `SYNESTHETE_LIBAV=0` turns it off. FFmpeg's own log is silenced: its warnings would go to
 * stderr, and every failure here falls back to the ffmpeg program, which reports it.
 *
 * @returns the bindings, or null (never throws)
 */
export function loadLibav(): Promise<Libav | null> {
  loading ??= (async () => {
    if (process.env.SYNESTHETE_LIBAV === '0') return null;
    try {
      const [lib, constants] = await Promise.all([
        import('node-av/lib'),
        import('node-av/constants'),
      ]);
      lib.Log.setLevel(constants.AV_LOG_QUIET);
      return { lib, constants };
    } catch {
      return null;
    }
  })();
  return loading;
}

/**
 * The FFmpeg version the in-process decoder runs (e.g. "8.1.1-Jellyfin"), for `synesthete doctor`.
 *
 * @returns the version, or null when node-av is not available (see {@link loadLibav})
 */
export async function libavVersion(): Promise<string | null> {
  const libav = await loadLibav();
  try {
    return libav ? libav.lib.getFFmpegInfo().version : null;
  } catch {
    return null;
  }
}

/** An excerpt decoded by {@link decodeExcerptLibav}. */
export interface LibavExcerpt {
  /** Mono Float32 PCM at the requested rate, clipped to [-1, 1] (a loud stereo mix-down passes ±1). */
  readonly pcm: Float32Array;
  /** Duration of the whole stream from the container, seconds (the last page's granule position). */
  readonly durationS: number;
}

/** Seconds decoded before the excerpt: more than Opus's 80 ms pre-roll (RFC 7845 §4.6). */
const PREROLL_S = 0.5;

/**
 * Decodes `lengthS` seconds of an Ogg Vorbis or Ogg Opus file from `startS`, mixed down to mono
 * and converted to `sampleRate`, in process.
 *
 * @param file - path of an Ogg file (the caller has checked its first bytes)
 * @param startS - start of the excerpt in the source, seconds (≥ 0)
 * @param lengthS - the most seconds returned (> 0); fewer when the stream ends first
 * @param sampleRate - output sample rate, Hz (e.g. 44,100)
 * @returns the excerpt and the stream's duration, or null when node-av is unavailable or the file
 *   is not a plain 1–2 channel Ogg Vorbis/Opus stream this path can decode (never throws)
 */
export async function decodeExcerptLibav(
  file: string,
  startS: number,
  lengthS: number,
  sampleRate: number,
): Promise<LibavExcerpt | null> {
  const libav = await loadLibav();
  if (!libav) return null;
  try {
    return decodeSync(libav, file, startS, lengthS, sampleRate);
  } catch {
    return null;
  }
}

/** Samples per frame out of the filter graph (`asetnsamples`): ~20 frames per 30 s excerpt. */
const GRAPH_FRAME_SAMPLES = 65_536;

function decodeSync(
  { lib, constants: c }: Libav,
  file: string,
  startS: number,
  lengthS: number,
  sampleRate: number,
): LibavExcerpt | null {
  const format = new lib.FormatContext();
  const codec = new lib.CodecContext();
  const graph = new lib.FilterGraph();
  const packet = new lib.Packet();
  const frame = new lib.Frame();
  const out = new lib.Frame();
  packet.alloc(); // the bindings' objects are empty shells until allocated
  frame.alloc();
  out.alloc();
  graph.alloc();
  graph.nbThreads = 1; // audio filters do not thread; no pool of threads per excerpt
  try {
    // The Ogg demuxer is named, so nothing is probed and no other demuxer or protocol is used.
    const ogg = lib.InputFormat.findInputFormat('ogg');
    if (!ogg || format.openInputSync(`file:${file}`, ogg, null) < 0) return null;
    // Reads the last pages for the duration and completes the stream parameters (~0.5 ms).
    if (format.findStreamInfoSync(null) < 0) return null;
    const index = format.findBestStream(c.AVMEDIA_TYPE_AUDIO);
    const stream = format.streams[index];
    if (index < 0 || !stream) return null;
    const params = stream.codecpar;
    const id = params.codecId;
    if (id !== c.AV_CODEC_ID_VORBIS && id !== c.AV_CODEC_ID_OPUS) return null;
    const channels = params.channelLayout.nbChannels;
    const inRate = params.sampleRate;
    if (channels < 1 || channels > 2 || inRate < 1000) return null;
    const durationUs = format.duration;
    if (durationUs <= 0n || durationUs === c.AV_NOPTS_VALUE) return null;
    const decoder = lib.Codec.findDecoder(id);
    if (!decoder) return null;
    codec.allocContext3(decoder);
    if (codec.parametersToContext(params) < 0) return null;
    // With the packets' time base, the decoder moves a frame's timestamp past the samples it
    // drops (Opus's pre-skip), as the ffmpeg program has it.
    codec.pktTimebase = stream.timeBase;
    if (codec.open2Sync(decoder, null) < 0) return null;
    if (codec.sampleFormat !== c.AV_SAMPLE_FMT_FLTP) return null;

    const tb = stream.timeBase;
    const first = Math.round(startS * inRate);
    const wanted = Math.round(lengthS * inRate); // source samples, as `-t` counts them
    const graphEnds = buildGraph(lib, graph, {
      timeBase: `${tb.num}/${tb.den}`,
      inRate,
      stereo: channels === 2,
      first,
      wanted,
      sampleRate,
    });
    if (!graphEnds) return null;
    const { source, sink } = graphEnds;
    const seekS = startS - PREROLL_S;
    if (seekS > 0) {
      const target = BigInt(Math.floor((seekS * tb.den) / tb.num));
      if (format.seekFrameSync(index, target, c.AVSEEK_FLAG_BACKWARD) < 0) return null;
    }

    const outCapacity = Math.ceil((lengthS + 1) * sampleRate) + GRAPH_FRAME_SAMPLES;
    // The excerpt is gathered in the DSP kernels' memory, clipped there (`clip_unit_f32`) and
    // copied out once.
    return withScratch((alloc) => {
      const pcmAt = alloc(4 * outCapacity);
      let outCount = 0;
      let ended = false; // the sink is at its end: the excerpt is complete
      /** Moves what the graph has ready into the excerpt; false on an error. */
      const drain = (): boolean => {
        for (;;) {
          const got = sink.buffersinkGetFrameSync(out);
          if (got === c.AVERROR_EAGAIN) return true;
          if (got === c.AVERROR_EOF) {
            ended = true;
            return true;
          }
          if (got < 0) return false;
          const count = out.nbSamples;
          const plane = out.data?.[0];
          out.unref();
          if (!plane || outCount + count > outCapacity) return false;
          const samples = new Float32Array(plane.buffer, plane.byteOffset, count);
          f32View(pcmAt + 4 * outCount, count).set(samples);
          outCount += count;
        }
      };

      while (!ended) {
        const read = format.readFrameSync(packet);
        if (read < 0) {
          if (read !== c.AVERROR_EOF) return null;
          codec.sendPacketSync(null); // drain the decoder
        } else if (packet.streamIndex !== index) {
          packet.unref();
          continue;
        } else {
          const sent = codec.sendPacketSync(packet);
          packet.unref();
          if (sent < 0 && sent !== c.AVERROR_EAGAIN) return null;
        }
        for (;;) {
          const got = codec.receiveFrameSync(frame);
          if (got === c.AVERROR_EAGAIN || got === c.AVERROR_EOF) break;
          if (got < 0) return null;
          // Refused once the trim has passed its end (AVERROR_EOF): the sink then says so too.
          const added = source.buffersrcAddFrameSync(frame);
          frame.unref();
          if (added < 0 && added !== c.AVERROR_EOF) return null;
        }
        if (read < 0) source.buffersrcAddFrameSync(null); // end of stream: flush the graph
        if (!drain()) return null;
        if (read < 0) break;
      }
      kernels.clip_unit_f32(pcmAt, outCount);
      return { pcm: f32View(pcmAt, outCount).slice(), durationS: Number(durationUs) / 1e6 };
    });
  } finally {
    out.free();
    frame.free();
    packet.free();
    graph.free();
    codec.freeContext();
    format.closeInputSync();
  }
}

/**
 * The filter graph from the decoder's frames to the excerpt — the filters, with FFmpeg's default
 * options, that `ffmpeg -ss S -t T -ac 1 -ar R -f f32le` puts there: `atrim` drops the source
 * samples whose timestamps fall before `first` (samples at the source rate, as the program's
 * accurate seek does) and a second one keeps `wanted` samples from there. (The program ends `-t`
 * by timestamp too, which makes some Vorbis excerpts a few hundred samples longer or shorter:
 * FFmpeg's Vorbis timestamps jitter by up to ±448 samples where block sizes change.) libswresample mixes down to mono and then converts the
 * rate (Opus 48 → 44.1 kHz; mixing first halves its work), and `asetnsamples` hands out frames of
 * {@link GRAPH_FRAME_SAMPLES}, so that only ~20 frames cross into JavaScript per excerpt.
 *
 * @returns the graph's source and sink, or null when a filter is missing or does not configure
 */
function buildGraph(
  lib: NodeAvLib,
  graph: InstanceType<NodeAvLib['FilterGraph']>,
  o: {
    timeBase: string;
    inRate: number;
    stereo: boolean;
    first: number;
    wanted: number;
    sampleRate: number;
  },
) {
  const chain: Array<[string, string | null]> = [
    [
      'abuffer',
      `time_base=${o.timeBase}:sample_rate=${o.inRate}:sample_fmt=fltp:channel_layout=${o.stereo ? 'stereo' : 'mono'}`,
    ],
    ['atrim', `start_pts=${o.first}`],
    ['atrim', `end_sample=${o.wanted}`],
    ['aformat', 'channel_layouts=mono'],
    ...(o.inRate !== o.sampleRate ? [['aresample', String(o.sampleRate)] as [string, string]] : []),
    ['aformat', `sample_fmts=flt:channel_layouts=mono:sample_rates=${o.sampleRate}`],
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
