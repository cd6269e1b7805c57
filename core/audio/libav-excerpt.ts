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
 * 80 ms pre-roll; Vorbis needs one packet), the decoder runs from there, samples whose timestamps
 * fall before `S` are dropped at the source rate, and the channels are mixed down as
 * libswresample mixes them with ffmpeg's defaults (mono = (L + R) · √½ for stereo, not normalised
 * for float output) and clipped to [-1, 1]: here, in one pass, when the rate stays; by
 * libswresample, which then also converts the rate, when it changes (Opus 48 → 44.1 kHz).
 * Opus's pre-skip is applied by the decoder, as in the program.
 *
 * Anything else returns null — another container or codec, more than 2 channels, a stream that
 * fails to open, seek or decode — and the caller's ffmpeg path decides, and words the error.
 *
 * @module
 */

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

function decodeSync(
  { lib, constants: c }: Libav,
  file: string,
  startS: number,
  lengthS: number,
  sampleRate: number,
): LibavExcerpt | null {
  const format = new lib.FormatContext();
  const codec = new lib.CodecContext();
  const resampler = new lib.SoftwareResampleContext();
  const packet = new lib.Packet();
  const frame = new lib.Frame();
  packet.alloc(); // the bindings' objects are empty shells until allocated
  frame.alloc();
  let direct = true; // no resampler allocated
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

    // At the source rate the mix-down is done here, as libswresample does it (no resampler:
    // ~5 ms less a 30 s excerpt); otherwise libswresample mixes down and converts the rate.
    direct = inRate === sampleRate;
    if (!direct) {
      const layout = channels === 2 ? c.AV_CHANNEL_LAYOUT_STEREO : c.AV_CHANNEL_LAYOUT_MONO;
      resampler.allocSetOpts2(
        c.AV_CHANNEL_LAYOUT_MONO,
        c.AV_SAMPLE_FMT_FLT,
        sampleRate,
        layout,
        c.AV_SAMPLE_FMT_FLTP,
        inRate,
      );
      if (resampler.init() < 0) return null;
    }

    const tb = stream.timeBase;
    const toSample = (ts: bigint) => Math.round((Number(ts) * tb.num * inRate) / tb.den);
    const first = Math.round(startS * inRate);
    const wanted = Math.round(lengthS * inRate); // source samples, as `-t` counts them
    const seekS = startS - PREROLL_S;
    if (seekS > 0) {
      const target = BigInt(Math.floor((seekS * tb.den) / tb.num));
      if (format.seekFrameSync(index, target, c.AVSEEK_FLAG_BACKWARD) < 0) return null;
    }

    const outCapacity = Math.ceil((lengthS + 1) * sampleRate) + 64;
    const pcm = new Float32Array(outCapacity);
    const out = Buffer.from(pcm.buffer); // libswresample writes here
    let outCount = 0;
    let taken = 0; // source samples kept so far
    let next: number | null = null; // source sample after the last frame, for frames without pts
    const convert = (input: Buffer[] | null, count: number): boolean => {
      const room = outCapacity - outCount;
      const n = resampler.convertSync([out.subarray(outCount * 4)], room, input, count);
      if (n < 0) return false;
      outCount += n;
      return true;
    };
    const mixDown = (planes: Buffer[], from: number, count: number): void => {
      const view = (p: Buffer) => new Float32Array(p.buffer, p.byteOffset + 4 * from, count);
      const left = view(planes[0]!);
      const right = channels === 2 ? view(planes[1]!) : null;
      for (let i = 0, o = outCount; i < count; i++, o++) {
        const v = right ? (left[i]! + right[i]!) * Math.SQRT1_2 : left[i]!;
        pcm[o] = Math.min(1, Math.max(-1, v));
      }
      outCount += count;
    };
    const take = (): boolean => {
      const count = frame.nbSamples;
      const at = frame.pts === c.AV_NOPTS_VALUE ? next : toSample(frame.pts);
      if (at === null || frame.format !== c.AV_SAMPLE_FMT_FLTP) return false;
      next = at + count;
      const skip = Math.max(0, first - at);
      const keep = Math.min(count - skip, wanted - taken);
      if (keep <= 0) return true;
      const planes = frame.data;
      if (!planes || planes.length < channels) return false;
      taken += keep;
      if (direct) {
        mixDown(planes, skip, keep);
        return true;
      }
      const input = planes.slice(0, channels).map((p) => p.subarray(skip * 4, (skip + keep) * 4));
      return convert(input, keep);
    };

    let failed = false;
    reading: while (taken < wanted) {
      const read = format.readFrameSync(packet);
      if (read < 0) {
        if (read !== c.AVERROR_EOF) failed = true;
        codec.sendPacketSync(null); // drain
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
        if (got === c.AVERROR_EAGAIN) break;
        if (got < 0) break reading; // end of stream (or a decoder error after draining)
        const ok = take();
        frame.unref();
        if (!ok) return null;
        if (taken >= wanted) break reading;
      }
      if (read < 0) break;
    }
    if (failed) return null;
    if (!direct && !convert(null, 0)) return null; // the resampler's tail
    if (!direct) for (let i = 0; i < outCount; i++) pcm[i] = Math.min(1, Math.max(-1, pcm[i]!));
    return { pcm: pcm.slice(0, outCount), durationS: Number(durationUs) / 1e6 };
  } finally {
    frame.free();
    packet.free();
    if (!direct) resampler.free();
    codec.freeContext();
    format.closeInputSync();
  }
}
