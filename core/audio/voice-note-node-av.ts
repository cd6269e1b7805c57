/**
 * The voice-note chain (core/audio/voice-note.ts) in process: the same filter string
 * (`voiceNoteFilter`) through libavfilter, libopus at the same bitrate and application, and the
 * Ogg muxer writing to memory, with FFmpeg's own libraries (node-av, an optional dependency)
 * instead of a spawned ffmpeg program. Where node-av does not load (not installed, no prebuilt
 * binary for this platform, or turned off with `SYNESTHETE_LIBAV=0`), or the chain needs a filter
 * the bundled FFmpeg lacks (rubberband, for pitch and tempo), the ffmpeg program runs it as before.
 *
 * The result is the Ogg Opus file's bytes, as the program path writes them, so that whatever
 * reads a voice note (the decoder, the analysis) reads this one the same way.
 *
 * @module
 */

import type { Frame } from 'node-av/lib';
import type { Rng } from '../util/random.js';
import {
  addNoise,
  encodeNoisyVoiceNote,
  type VoiceNoteOptions,
  voiceNoteFilter,
} from './voice-note.js';

type NodeAvApi = typeof import('node-av/api');
type NodeAvLib = typeof import('node-av/lib');
type NodeAvConstants = typeof import('node-av/constants');

/** The loaded bindings. */
interface Bindings {
  readonly api: NodeAvApi;
  readonly lib: NodeAvLib;
  readonly constants: NodeAvConstants;
}

/** The in-process chain cannot run here or for these options; the program path can. */
export class VoiceNoteInProcessUnavailable extends Error {
  /**
   * @param reason - why, one line (e.g. "node-av did not load (Cannot find module …)")
   */
  constructor(reason: string) {
    super(reason);
    this.name = 'VoiceNoteInProcessUnavailable';
  }
}

/** Milliseconds of audio in one Opus packet (ffmpeg's libopus default, `frame_duration` 20). */
const OPUS_FRAME_MS = 20;
/** Bytes of the muxer's output buffer (ffmpeg's default). */
const IO_BUFFER_BYTES = 32_768;

let loading: Promise<Bindings | string> | undefined;

/** Loads node-av once; the reason it cannot be used otherwise. */
function load(): Promise<Bindings | string> {
  loading ??= (async () => {
    if (process.env.SYNESTHETE_LIBAV === '0') return 'turned off by SYNESTHETE_LIBAV=0';
    try {
      const [api, lib, constants] = await Promise.all([
        import('node-av/api'),
        import('node-av/lib'),
        import('node-av/constants'),
      ]);
      // FFmpeg's log would go to stderr; failures are reported by the exceptions instead.
      lib.Log.setLevel(constants.AV_LOG_QUIET);
      return { api, lib, constants };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return `node-av did not load (${message})`;
    }
  })();
  return loading;
}

/**
 * Whether the in-process chain can run `options` at all: the bundled FFmpeg has no rubberband
 * filter, so a chain that shifts pitch or tempo runs in the ffmpeg program.
 *
 * @param options - chain parameters
 * @returns true when `options` has no pitch shift and no tempo change
 */
export function runsInProcess(options: VoiceNoteOptions): boolean {
  return (options.pitchSemitones ?? 0) === 0 && (options.tempoFactor ?? 1) === 1;
}

/**
 * Why the in-process chain cannot run in this process, or null when it can (loads node-av on the
 * first call).
 *
 * @returns one line, or null
 */
export async function inProcessUnavailableReason(): Promise<string | null> {
  const bindings = await load();
  return typeof bindings === 'string' ? bindings : null;
}

/**
 * Runs noisy PCM through the chain's filters and encoder in process: `voiceNoteFilter(options)`
 * through libavfilter, libopus at `options.bitrateKbps` kbit/s with application
 * `options.application ?? 'voip'`, muxed as Ogg to memory. What `ffmpeg -f f32le -ar R -ac 1 -i -
 * -af <filter> -c:a libopus -b:a Nk -application A -f ogg -` writes, with node-av's FFmpeg (its
 * libopus may be another version than the program's, so the bytes are not the same, the sound
 * is).
 *
 * @param noisy - mono Float32 PCM at `sampleRate`, noise already added (see `addNoise`); not
 *   modified; may be empty (the result is then an Ogg file without audio packets)
 * @param sampleRate - in Hz, one that libopus takes (48,000, 24,000, 16,000, 12,000 or 8,000)
 * @param options - chain parameters; no pitch or tempo change (see {@link runsInProcess})
 * @returns the Ogg Opus file's bytes (48 kHz Opus, mono, about `noisy.length / sampleRate` s)
 * @throws VoiceNoteInProcessUnavailable when node-av does not load or `options` needs rubberband;
 *   Error (FFmpegError) when FFmpeg rejects the graph, the encoder or a frame
 */
export async function encodeNoisyVoiceNoteInProcess(
  noisy: Float32Array,
  sampleRate: number,
  options: VoiceNoteOptions,
): Promise<Buffer> {
  if (!runsInProcess(options)) {
    throw new VoiceNoteInProcessUnavailable('pitch and tempo need rubberband, not in node-av');
  }
  const bindings = await load();
  if (typeof bindings === 'string') throw new VoiceNoteInProcessUnavailable(bindings);
  const { api, lib, constants: c } = bindings;
  const codec = lib.Codec.findEncoderByName(c.FF_ENCODER_LIBOPUS);
  if (!codec) throw new VoiceNoteInProcessUnavailable('node-av has no libopus encoder');
  // The program ends the graph with the encoder's formats (libopus: s16 or flt; alimiter gives
  // dbl, which negotiates to flt) and has the sink cut frames of the encoder's size (960 samples
  // at 48 kHz, the last one shorter); here both are spelt out.
  const frameSize = Math.round((sampleRate * OPUS_FRAME_MS) / 1000);
  const filter = api.FilterAPI.create(
    `${voiceNoteFilter(options)},aformat=sample_fmts=flt,asetnsamples=n=${frameSize}:p=0`,
    { graph: { nbThreads: 1 } },
  );
  const context = new lib.CodecContext();
  const format = new lib.FormatContext();
  const io = new lib.IOContext();
  const packet = new lib.Packet();
  packet.alloc();
  let input: Frame | undefined;
  const pending: Frame[] = [];
  const chunks: Buffer[] = [];
  let formatAllocated = false;
  try {
    // The encoder, as the program opens it for `-b:a Nk -application A`.
    context.allocContext3(codec);
    context.sampleRate = sampleRate;
    context.sampleFormat = c.AV_SAMPLE_FMT_FLT;
    context.channelLayout = c.AV_CHANNEL_LAYOUT_MONO;
    context.timeBase = new lib.Rational(1, sampleRate);
    context.bitRate = BigInt(Math.round(options.bitrateKbps * 1000));
    // A private option of libopus, set on the context (not as a dictionary to open2, whose
    // dictionary node-av 6 leaves dangling).
    const application = options.application ?? 'voip';
    check(lib, context.setOption('application', application), 'setting the Opus application');
    check(lib, context.open2Sync(codec, null), 'opening libopus');
    // The Ogg muxer, writing to memory.
    check(lib, format.allocOutputContext2(null, 'ogg', null), 'opening the Ogg muxer');
    formatAllocated = true;
    // Bit-exact: the stream's serial number is not random, so the same input gives the same bytes.
    format.setFlags(c.AVFMT_FLAG_BITEXACT);
    io.allocContextWithCallbacks(IO_BUFFER_BYTES, 1, null, (buffer: Buffer) => {
      chunks.push(Buffer.from(buffer));
    });
    format.pb = io;
    const stream = format.newStream(null);
    check(lib, stream.codecpar.fromContext(context), 'describing the Opus stream');
    stream.timeBase = new lib.Rational(1, sampleRate);
    check(lib, format.writeHeaderSync(), 'writing the Ogg header');
    const drain = () => {
      for (;;) {
        const code = context.receivePacketSync(packet);
        if (code === c.AVERROR_EAGAIN || code === c.AVERROR_EOF) return;
        check(lib, code, 'encoding Opus');
        packet.streamIndex = stream.index;
        packet.rescaleTs(context.timeBase, stream.timeBase);
        check(lib, format.interleavedWriteFrameSync(packet), 'writing an Ogg page');
      }
    };
    if (noisy.length > 0) {
      input = lib.Frame.fromAudioBuffer(
        Buffer.from(noisy.buffer, noisy.byteOffset, noisy.byteLength),
        {
          nbSamples: noisy.length,
          format: c.AV_SAMPLE_FMT_FLT,
          sampleRate,
          channelLayout: c.AV_CHANNEL_LAYOUT_MONO,
          timeBase: { num: 1, den: sampleRate },
          pts: 0n,
        },
      );
      pending.push(...filter.processAllSync(input));
      // End of input: the filters give their tails (aecho's reflections, alimiter's look-ahead).
      filter.flushSync();
      pending.push(...filter.flushFramesSync());
      for (const frame of pending) {
        check(lib, context.sendFrameSync(frame), 'encoding Opus');
        drain();
      }
    }
    check(lib, context.sendFrameSync(null), 'flushing the Opus encoder');
    drain();
    check(lib, format.writeTrailerSync(), 'writing the Ogg trailer');
    return Buffer.concat(chunks);
  } finally {
    for (const frame of pending) frame.free();
    input?.free();
    packet.free();
    if (formatAllocated) {
      format.pb = null;
      format.freeContext();
    }
    io.freeContext();
    context.freeContext();
    filter.close();
  }
}

/** Throws FFmpeg's text for a negative return code. */
function check(lib: NodeAvLib, code: number, what: string): void {
  if (code < 0) throw new Error(`${what}: ${lib.FFmpegError.strerror(code)}`);
}

/**
 * `encodeVoiceNote` (core/audio/voice-note.ts) without a process where node-av runs: the noise is
 * added first, with the same draws from `rng`, then the chain runs in process
 * ({@link encodeNoisyVoiceNoteInProcess}), or in the ffmpeg program where node-av does not load
 * or the options shift pitch or tempo.
 *
 * @param pcm - mono Float32 PCM in [-1, 1] at `sampleRate` Hz (not modified)
 * @param sampleRate - in Hz (48,000 for the views; a rate libopus takes, for the in-process path)
 * @param options - chain parameters
 * @param ffmpeg - path of the ffmpeg program (used only by the fallback)
 * @param rng - generator for the noise
 * @param noise - noise to mix in at `options.snrDb` (see `addNoise`); absent: pink noise
 * @returns the Ogg Opus file's bytes
 * @throws Error when FFmpeg (in process or the program) fails
 */
export async function encodeVoiceNoteInProcess(
  pcm: Float32Array,
  sampleRate: number,
  options: VoiceNoteOptions,
  ffmpeg: string,
  rng: Rng,
  noise?: Float32Array,
): Promise<Buffer> {
  const noisy = Float32Array.from(pcm);
  if (options.snrDb !== null) addNoise(noisy, options.snrDb, rng, noise);
  try {
    return await encodeNoisyVoiceNoteInProcess(noisy, sampleRate, options);
  } catch (error) {
    if (!(error instanceof VoiceNoteInProcessUnavailable)) throw error;
    return encodeNoisyVoiceNote(noisy, sampleRate, options, ffmpeg);
  }
}
