/**
 * In-process decoding of Ogg Opus — what Telegram, WhatsApp and Discord voice notes are — without
 * starting ffmpeg: `readOggPackets` splits the Ogg pages into Opus packets (packets spanning pages
 * included), `opusscript` (libopus compiled to WebAssembly) decodes them at 24 kHz, and
 * {@link resamplePcm} converts to the model's rate as libswresample would. Measured on the 2-core
 * development machine for a 15 s voice note (CPU time at load 6–9): libopus ≈ 20–34 ms and the
 * resampling ≈ 16 ms, most of it on the engine's second core while this thread decodes (see
 * `decodeStreamed`) — against about 200 ms wall (110 ms CPU) for an ffmpeg child process, most
 * of it ffmpeg's start-up.
 *
 * Only the simple, common case is handled: one logical stream, mono, channel mapping family 0
 * (RFC 7845 §5.1.1). Anything else — stereo, multistream, chained streams, a page failing its CRC,
 * a damaged packet — returns `null` (or throws), and the caller decodes through ffmpeg instead,
 * which also produces the precise error messages.
 *
 * Ogg Opus rules applied as ffmpeg applies them (RFC 7845 §4.2, §5.1): the header's pre-skip
 * samples are dropped from the start, the stream ends at the last page's granule position, and
 * the header's output gain (Q7.8 dB) is applied. Never silently short: when the packets decoded
 * hold fewer samples than the last granule position says the stream has (beyond the pre-skip, see
 * {@link decodeOggOpusMono}), the result is `null` and ffmpeg decodes the file (whose own length
 * check then applies).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { clipToUnitRange } from '../dsp/clip.js';
import { callSecondCore, secondCoreAvailable } from '../fingerprint/off-thread.js';
import { oggTailTruncated } from './container-check.js';
import { type OggPageInfo, readOggPackets } from './ogg-packets.js';
import {
  paddedLength,
  padEnd,
  padForResample,
  padStart,
  resampledLength,
  resampleLead,
  resamplePcm,
  resampleRange,
  resampleReady,
} from './resample.js';

/**
 * Rate libopus decodes at before resampling, Hz. 24 kHz rather than Opus's native 48 kHz: it
 * keeps everything up to 12 kHz — above the 11,025 Hz Nyquist frequency of the model's rate — and
 * halves the resampler's work (36 taps to 22,050 Hz instead of 72).
 */
export const OPUS_DECODE_RATE = 24_000;

/** Opus's reference rate: pre-skip and granule positions count 48 kHz samples (RFC 7845 §4). */
const OPUS_RATE = 48_000;

/** What {@link decodeOggOpusMono} found. */
export interface OpusDecoded {
  /** Mono samples at the requested rate, clamped to [-1, 1]. */
  readonly pcm: Float32Array;
  readonly sampleRate: number;
  /** Duration of the stream after pre-skip and end trimming, seconds. */
  readonly durationS: number;
}

/** Minimal shape of the `opusscript` decoder used here. */
interface OpusScriptDecoder {
  decode(packet: Buffer): Buffer;
  delete(): void;
}
type OpusScriptClass = new (
  rate: number,
  channels: number,
  application?: number,
) => OpusScriptDecoder;

const require = createRequire(import.meta.url);
let OpusScript: OpusScriptClass | undefined;

/** Loads opusscript on first use (its WebAssembly costs start-up time nobody else needs). */
function opusScript(): OpusScriptClass {
  OpusScript ??= require('opusscript') as OpusScriptClass;
  return OpusScript;
}

/**
 * Tells whether bytes begin an Ogg stream whose first packet is an Opus identification header.
 *
 * @param bytes - the start of a file (≥ 36 bytes to say yes)
 */
export function isOggOpus(bytes: Uint8Array): boolean {
  if (bytes.length < 36) return false;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  // Page header: 27 bytes + 1 lacing value for a one-segment first page (RFC 7845 §3).
  return ascii(0, 4) === 'OggS' && ascii(28, 36) === 'OpusHead';
}

/** Where the stream ends, from its last two pages with a granule position (RFC 7845 §4.4). */
interface StreamEnd {
  /** Granule position of the last page: 48 kHz samples, pre-skip included. */
  readonly granule: number;
  /** Granule position of the page before it (0 when there is none). */
  readonly previous: number;
  /** Packets that end on the last page. */
  readonly lastPagePackets: number;
}

/** The end of the stream, or null when no page carries a granule position. */
function streamEnd(pages: readonly OggPageInfo[]): StreamEnd | null {
  let end = null as StreamEnd | null;
  for (const page of pages) {
    if (page.granule < 0) continue;
    end = {
      granule: page.granule,
      previous: end?.granule ?? 0,
      lastPagePackets: page.packetsEnded,
    };
  }
  return end;
}

/**
 * Shortfall tolerated between the samples decoded and the last granule position beyond the
 * pre-skip, in 48 kHz samples: 2.5 ms, Opus's shortest frame (RFC 6716 §2.1.4).
 */
const GRANULE_SLACK = 120;

/**
 * Decodes a mono Ogg Opus file held in memory.
 *
 * @param bytes - the whole file
 * @param sampleRate - output rate, Hz (integer)
 * @param maxDurationS - longest stream decoded here, seconds (by its last granule position)
 * @returns mono PCM at `sampleRate` (on a `SharedArrayBuffer` when the engine's second core
 *   resampled it, so that it reaches that worker again without a copy), or `null` when the
 *   stream is not the simple case this
 *   decoder handles (not Ogg Opus, not mono, multistream or chained, truncated last page, a
 *   page failing its CRC, no granule position, longer than `maxDurationS`, fewer samples decoded
 *   than the last granule position promises — by more than the pre-skip and 2.5 ms): decode it
 *   with ffmpeg instead
 * @throws Error from libopus on a damaged packet (callers fall back to ffmpeg)
 */
export async function decodeOggOpusMono(
  bytes: Uint8Array,
  sampleRate: number,
  maxDurationS = Number.POSITIVE_INFINITY,
): Promise<OpusDecoded | null> {
  if (!isOggOpus(bytes)) return null;
  const tail = bytes.subarray(Math.max(0, bytes.length - (27 + 255 + 255 * 255 + 1024)));
  if (oggTailTruncated(tail)) return null;
  const stream = readOggPackets(bytes);
  // Packet 0 is OpusHead, packet 1 OpusTags, the rest audio (RFC 7845 §3).
  if (stream === null || stream.packets.length < 3) return null;
  const [head, , ...packets] = stream.packets as [Uint8Array, Uint8Array, ...Uint8Array[]];
  // OpusHead (RFC 7845 §5.1): "OpusHead", version, channels @9, pre-skip @10 (u16), rate @12,
  // gain @16 (i16 Q7.8 dB), mapping family @18.
  if (head.length < 19 || String.fromCharCode(...head.subarray(0, 8)) !== 'OpusHead') return null;
  const header = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (header.getUint8(9) !== 1 || header.getUint8(18) !== 0) return null;
  const preSkip = header.getUint16(10, true);
  const gainDb = header.getInt16(16, true) / 256;
  const end = streamEnd(stream.pages);
  if (end === null || end.lastPagePackets === 0) return null;
  if ((end.granule - preSkip) / OPUS_RATE > maxDurationS) return null;
  if (packets.length >= STREAM_MIN_PACKETS && secondCoreAvailable()) {
    const streamed = await decodeStreamed(packets, preSkip, gainDb, end, sampleRate);
    if (streamed !== undefined) return streamed;
  }

  const Decoder = opusScript();
  const decoder = new Decoder(OPUS_DECODE_RATE, 1);
  const chunks: Int16Array[] = [];
  let total = 0;
  try {
    for (const packet of packets) {
      const out = decoder.decode(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
      const samples = new Int16Array(out.buffer, out.byteOffset, out.byteLength >> 1);
      chunks.push(samples);
      total += samples.length;
    }
  } finally {
    decoder.delete();
  }
  const ratio = OPUS_RATE / OPUS_DECODE_RATE;
  // Every sample the granule position promises must have been decoded, up to the pre-skip;
  // otherwise packets went missing (or the stream starts at a non-zero granule position): let
  // ffmpeg decide. ffmpeg's libopus encoder counts the pre-skip in the last granule position but,
  // at the end of some inputs, emits no packet for those last samples (a 15 s cut of a demo track
  // decodes 720,000 samples under a last granule of 720,312 with a pre-skip of 312); ffmpeg's
  // decoder then ends the stream by the end trimming below, to the same length as here.
  if (total * ratio + preSkip + GRANULE_SLACK < end.granule) return null;
  // End trimming (RFC 7845 §4.4): the last page's packets hold more samples than its granule
  // position says are left after the previous page's; the excess is dropped from the end.
  let lastPageSamples = 0;
  for (const chunk of chunks.slice(-end.lastPagePackets)) lastPageSamples += chunk.length;
  const excess = Math.max(0, end.previous + lastPageSamples * ratio - end.granule);
  const length = Math.max(0, total - Math.round((preSkip + excess) / ratio));
  const scale = 10 ** (gainDb / 20) / 32768;
  const full = new Float32Array(length);
  let written = 0;
  let skip = Math.round(preSkip / ratio);
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length && written < length; i++) {
      if (skip > 0) {
        skip--;
        continue;
      }
      full[written++] = chunk[i]! * scale;
    }
  }
  const pcm = clipToUnitRange(await resample(full, OPUS_DECODE_RATE, sampleRate));
  return { pcm, sampleRate, durationS: length / OPUS_DECODE_RATE };
}

/**
 * Streams at least this many packets long (2 s of 20 ms packets) are resampled while they are
 * decoded (see {@link decodeStreamed}); shorter ones on one thread.
 */
const STREAM_MIN_PACKETS = 100;

/** Packets decoded between two hand-overs to the worker (1 s of 20 ms packets). */
const STREAM_PACKETS = 50;

/** Samples at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 §3.1); 0 when empty. */
function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  // SILK-only 10/20/40/60 ms, hybrid 10/20 ms, CELT-only 2.5/5/10/20 ms (RFC 6716 Table 2).
  const frame =
    config < 12
      ? [480, 960, 1920, 2880][config & 3]!
      : config < 16
        ? [480, 960][config & 1]!
        : [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  return frame * (code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f);
}

/**
 * The in-process decode with the resampling done on both cores, the worker's share while this
 * thread is still decoding: the stream's length is known before decoding from the packets' TOC
 * bytes (RFC 6716 §3.1), so decoded samples go straight to their place in a padded input on a
 * `SharedArrayBuffer`, and every {@link STREAM_PACKETS} packets the worker resamples the outputs
 * that have become computable (`resampleReady`); once all is decoded, what is left is split
 * between the two threads. The very samples of the one-thread path (same trimming, same
 * resampler; each output computed on its own).
 *
 * @returns the decoded PCM; `null` where the one-thread path says `null` (samples missing);
 *   `undefined` when a packet decodes to another length than its TOC byte says, or the stream
 *   is too short to be worth it: decode it on one thread instead
 * @throws Error from libopus on a damaged packet
 */
async function decodeStreamed(
  packets: readonly Uint8Array[],
  preSkip: number,
  gainDb: number,
  end: StreamEnd,
  sampleRate: number,
): Promise<OpusDecoded | null | undefined> {
  const ratio = OPUS_RATE / OPUS_DECODE_RATE;
  const counts = packets.map((p) => opusPacketSamples(p) / ratio);
  let total = 0;
  for (const count of counts) total += count;
  // The trimming of the one-thread path, from the TOC counts instead of the decoded ones.
  if (total * ratio + preSkip + GRANULE_SLACK < end.granule) return null;
  let lastPageSamples = 0;
  for (const count of counts.slice(-end.lastPagePackets)) lastPageSamples += count;
  const excess = Math.max(0, end.previous + lastPageSamples * ratio - end.granule);
  const length = Math.max(0, total - Math.round((preSkip + excess) / ratio));
  const from = OPUS_DECODE_RATE;
  const outLength = resampledLength(length, from, sampleRate);
  const lead = resampleLead(from, sampleRate);
  if (outLength < PARALLEL_MIN_OUTPUT || length <= lead) return undefined;
  const scale = 10 ** (gainDb / 20) / 32768;
  const shared = (n: number) => new Float32Array(new SharedArrayBuffer(4 * n));
  const padded = shared(paddedLength(length, from, sampleRate));
  const out = shared(outLength);
  const jobs: Promise<unknown>[] = [];
  const handOver = (start: number, stop: number) => {
    const job = callSecondCore({
      op: 'resample',
      padded,
      from,
      to: sampleRate,
      out,
      start,
      end: stop,
    });
    job.catch(() => undefined); // awaited below
    jobs.push(job);
  };
  let handed = 0;
  let written = 0;
  let skip = Math.round(preSkip / ratio);
  let started = false;
  const decoder = new (opusScript())(OPUS_DECODE_RATE, 1);
  try {
    for (let p = 0; p < packets.length; p++) {
      const packet = packets[p]!;
      const bytes = decoder.decode(
        Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength),
      );
      const chunk = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
      if (chunk.length !== counts[p]) return undefined;
      for (let i = 0; i < chunk.length && written < length; i++) {
        if (skip > 0) {
          skip--;
          continue;
        }
        padded[lead + written++] = chunk[i]! * scale;
      }
      if (!started && written > lead) {
        padStart(padded, length, from, sampleRate);
        started = true;
      }
      if (started && p % STREAM_PACKETS === STREAM_PACKETS - 1 && written < length) {
        const ready = resampleReady(lead + written, outLength, from, sampleRate);
        if (ready > handed) {
          handOver(handed, ready);
          handed = ready;
        }
      }
    }
  } finally {
    decoder.delete();
  }
  if (written !== length) return undefined;
  padEnd(padded, length, from, sampleRate);
  const middle = handed + ((outLength - handed) >> 1);
  handOver(handed, middle);
  resampleRange(padded, from, sampleRate, out, middle, outLength);
  try {
    await Promise.all(jobs);
  } catch {
    resampleRange(padded, from, sampleRate, out, 0, middle);
  }
  // Left on the SharedArrayBuffer: the engine's worker then reads it for the fingerprint and the
  // descriptors without a copy (posting an ordinary array copies 1.3 MB for 15 s, twice).
  const pcm = clipToUnitRange(out);
  return { pcm, sampleRate, durationS: length / OPUS_DECODE_RATE };
}

/** Outputs below which {@link resample} stays on this thread (1 s at 22,050 Hz). */
const PARALLEL_MIN_OUTPUT = 22_050;

/**
 * {@link resamplePcm} with the second half of the output computed at the same time by the second
 * core's worker (core/fingerprint/off-thread.ts), both threads reading the padded input from
 * shared memory: the very same samples (each output is computed on its own, see
 * `resampleRange`), in about half the wall time when the second core is free (15 s of 24 kHz:
 * ≈ 18 ms of CPU). On this thread alone when no worker runs or the worker fails.
 */
async function resample(pcm: Float32Array, from: number, to: number): Promise<Float32Array> {
  const length = resampledLength(pcm.length, from, to);
  if (from === to || length < PARALLEL_MIN_OUTPUT || !secondCoreAvailable()) {
    return resamplePcm(pcm, from, to);
  }
  const shared = (n: number) => new Float32Array(new SharedArrayBuffer(4 * n));
  const padded = padForResample(pcm, from, to, shared(paddedLength(pcm.length, from, to)));
  const out = shared(length);
  const half = length >> 1;
  const second = callSecondCore({
    op: 'resample',
    padded,
    from,
    to,
    out,
    start: half,
    end: length,
  });
  second.catch(() => undefined); // awaited below
  resampleRange(padded, from, to, out, 0, half);
  try {
    await second;
  } catch {
    resampleRange(padded, from, to, out, half, length);
  }
  return out; // on the SharedArrayBuffer: the worker reads it later without a copy
}
