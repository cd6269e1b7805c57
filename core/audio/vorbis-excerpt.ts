/**
 * One excerpt of an Ogg Vorbis file decoded in process — what the `fast` ingest profile needs
 * (core/ingest-profile.ts: 30 s from the middle of a track) — instead of starting ffmpeg (about
 * 0.1 s of CPU to start, 0.2 s with its decode). The file's pages are indexed (header fields
 * only, no copying), the three Vorbis headers read, and only the pages around the excerpt are
 * decoded: from the first packet after the last page that ends at least {@link PREROLL} samples
 * before the excerpt, so ~30 s plus a fraction of a second is decoded whatever the track's length.
 * The decoder is libvorbis compiled to WebAssembly (`@wasm-audio-decoders/ogg-vorbis`, MIT, no
 * install script), fed packet by packet.
 *
 * Timing (Vorbis I specification §A.2, RFC 3533 §6): a page's granule position is the number of
 * the last sample finished by the last packet ending on it. A decoder started afresh outputs
 * nothing for its first packet and then exactly the samples that follow it, so the first sample
 * decoded is at `granule(page) − samples decoded through that page` for the first page decoded,
 * which is checked again at every later page (a mismatch of more than {@link GRANULE_SLACK}
 * returns null). From the stream's beginning the first sample decoded is sample 0, as ffmpeg has
 * it, whatever the first page's granule position says (ffmpeg does not apply the spec's "trim the
 * beginning"; the demo clips' first pages say −7 and +224). Mid-stream, ffmpeg's timeline can be a fraction of
 * a block later than the granule positions (measured: 7 samples on the demo clips, 128 on
 * wesnoth's tracks; it counts the first packet's duration differently), which is not modelled
 * here: ffmpeg's own `-ss` excerpt is further off (up to ±400 samples from its whole decode,
 * measured on corpus tracks), and a few milliseconds do not change an excerpt's analysis.
 * The stream ends at the last page's granule position (end trimming). Channels are mixed down and
 * the rate converted as `ffmpeg -ac 1 -ar R` does: mono = (L + R) · √½ for stereo
 * (libswresample's matrix, not normalised for float output; measured against ffmpeg 5.1), and
 * `resamplePcm` (libswresample's filter) when the file's rate is not R. So the result is ffmpeg's
 * decode of the whole file cut at the excerpt, to within the two Vorbis decoders' float rounding
 * (libvorbis here, FFmpeg's own decoder there), the resampler's edges and the offset above. See
 * test/audio/vorbis-excerpt.test.ts.
 *
 * Only the simple, common case is handled: one logical stream (no chaining, no multiplexing),
 * 1 or 2 channels, pages intact (the CRC of every page read is checked). Anything else returns
 * null and the caller decodes with ffmpeg, which also words the errors.
 *
 * @module
 */
import { oggCrcValid } from './ogg-crc.js';
import { concatPieces, type OggPageHeader, readOggPageHeader } from './ogg-packets.js';
import { resamplePcm } from './resample.js';

/**
 * Samples decoded before the excerpt's first sample at least: two of the largest blocks Vorbis
 * allows (8,192), so the packet that starts the decoder (it only primes it) ends before the
 * excerpt.
 */
const PREROLL = 16_384;

/**
 * How far a page's granule position may be from the count of samples decoded before it has been
 * checked against it. Not 0: some encoders write granule positions that stray by part of a block
 * and come back on the next page (the demo clips alternate 0 and −224 samples); a count off by
 * more than a largest block means something is wrong, and ffmpeg decodes the file instead.
 */
const GRANULE_SLACK = 8192;

/** Largest packet the WebAssembly decoder's input buffer takes (its `_inputSize`). */
const MAX_PACKET_BYTES = 128 * 1024;

/** `header_type` flags (RFC 3533 §6). */
const CONTINUED = 0x01;
const BEGIN_OF_STREAM = 0x02;

/** What {@link decodeVorbisExcerpt} returns. */
export interface VorbisExcerpt {
  /** Mono samples at the requested rate (not clamped). */
  readonly pcm: Float32Array;
  readonly sampleRate: number;
  /** Duration of the whole stream (last granule position / the file's rate), seconds. */
  readonly durationS: number;
}

/** One page of the file: where it lies and its timing. */
type Page = OggPageHeader;

/** Minimal shape of the decoder inside `@wasm-audio-decoders/ogg-vorbis` (0.1.x). */
interface PacketDecoder {
  sendSetupHeader(packet: Uint8Array): void;
  initDsp(): void;
  /**
   * What its `decodePackets` uses, driven directly here so that no arrays are allocated per
   * packet: the WebAssembly exports and heap, the decoder's handle, and its in/out cells.
   */
  readonly _common: {
    readonly wasm: { readonly HEAP: ArrayBuffer; decode_packets(decoder: number): void };
  };
  readonly _decoder: number;
  readonly _input: { readonly buf: Uint8Array };
  readonly _inputLen: { readonly buf: Uint32Array };
  readonly _outputBufferPtr: { readonly buf: Uint32Array };
  readonly _channels: { readonly buf: Uint32Array };
  readonly _samplesDecoded: { readonly buf: Uint32Array };
  readonly _errorsLength: { readonly buf: Int32Array };
}
interface OggVorbisDecoderInstance {
  readonly ready: Promise<void>;
  free(): void;
  /** The packet-level decoder the class drives (not in the package's typings). */
  readonly _decoder: PacketDecoder;
}
type OggVorbisDecoderClass = new () => OggVorbisDecoderInstance;

let decoderClass: Promise<OggVorbisDecoderClass> | undefined;

/** Loads the decoder on first use (its WebAssembly costs start-up time nobody else needs). */
function vorbisDecoderClass(): Promise<OggVorbisDecoderClass> {
  decoderClass ??= import('@wasm-audio-decoders/ogg-vorbis').then(
    (m) => m.OggVorbisDecoder as unknown as OggVorbisDecoderClass,
  );
  return decoderClass;
}

/**
 * Tells whether bytes begin an Ogg stream whose first packet is a Vorbis identification header.
 *
 * @param bytes - the start of a file (≥ 35 bytes to say yes)
 */
export function isOggVorbis(bytes: Uint8Array): boolean {
  if (bytes.length < 35) return false;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  // A first page of one segment: 27-byte header + 1 lacing value, then "\x01vorbis".
  return ascii(0, 4) === 'OggS' && bytes[28] === 1 && ascii(29, 35) === 'vorbis';
}

/** Every page of one logical stream, or null when the bytes are anything else. */
function indexPages(bytes: Uint8Array): Page[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: Page[] = [];
  let serial: number | undefined;
  let at = 0;
  while (at < bytes.length) {
    const page = readOggPageHeader(bytes, view, at); // null when truncated: ffmpeg words it
    if (page === null) return null;
    serial ??= page.serial;
    // A second stream (multiplexed, or chained: a new beginning of stream) is not handled here.
    if (page.serial !== serial || (pages.length > 0 && (page.flags & BEGIN_OF_STREAM) !== 0)) {
      return null;
    }
    pages.push(page);
    at = page.end;
  }
  return pages.length > 0 ? pages : null;
}

/** A packet and the page it ends on. */
interface Packet {
  readonly data: Uint8Array;
  readonly page: number;
}

/**
 * The packets that begin on or after page `from` (a packet continued from the page before is
 * skipped), up to and including page `to`, at most `limit`; each page read has its CRC checked.
 *
 * @returns the packets, or null on a bad CRC or a packet larger than the decoder takes
 */
function packetsOf(
  bytes: Uint8Array,
  pages: Page[],
  from: number,
  to: number,
  limit = Number.POSITIVE_INFINITY,
): Packet[] | null {
  const packets: Packet[] = [];
  let partial: Uint8Array[] = [];
  let skipping = from > 0 && ((pages[from]?.flags ?? 0) & CONTINUED) !== 0;
  for (let p = from; p <= to && p < pages.length; p++) {
    const page = pages[p]!;
    if (!oggCrcValid(bytes.subarray(page.start, page.end))) return null;
    let offset = page.body;
    let runStart = offset;
    for (let i = 0; i < page.segments; i++) {
      const lacing = bytes[page.start + 27 + i]!;
      offset += lacing;
      if (lacing === 255) continue;
      if (skipping) skipping = false;
      else {
        const piece = bytes.subarray(runStart, offset);
        const data = partial.length > 0 ? concatPieces([...partial, piece]) : piece;
        if (data.length > MAX_PACKET_BYTES) return null;
        packets.push({ data, page: p });
        if (packets.length >= limit) return packets;
      }
      partial = [];
      runStart = offset;
    }
    if (runStart < page.end && !skipping) partial.push(bytes.subarray(runStart, page.end));
  }
  return packets;
}

/**
 * Decodes `lengthS` seconds from `startS` seconds into an Ogg Vorbis file, mono, at `sampleRate`.
 *
 * @param bytes - the whole file
 * @param startS - where the excerpt starts, seconds (≥ 0; rounded to the nearest sample)
 * @param lengthS - the excerpt's length, seconds (> 0); less comes back when the stream ends first
 * @param sampleRate - output rate, Hz (the file's own rate, or any other through `resamplePcm`)
 * @returns the excerpt and the stream's duration, or null for anything not handled here (see the
 *   module comment), including an excerpt starting past the end
 */
export async function decodeVorbisExcerpt(
  bytes: Uint8Array,
  startS: number,
  lengthS: number,
  sampleRate: number,
): Promise<VorbisExcerpt | null> {
  if (!isOggVorbis(bytes) || !(startS >= 0) || !(lengthS > 0)) return null;
  const pages = indexPages(bytes);
  if (!pages) return null;
  // The three headers: identification, comment, setup (Vorbis I §4.2), from the first pages.
  const headers = packetsOf(bytes, pages, 0, pages.length - 1, 3);
  if (!headers || headers.length < 3) return null;
  const [id, , setup] = headers as [Packet, Packet, Packet];
  const idView = new DataView(id.data.buffer, id.data.byteOffset, id.data.byteLength);
  if (id.data.length < 30 || setup.data[0] !== 5) return null;
  const channels = id.data[11]!;
  const rate = idView.getUint32(12, true);
  if ((channels !== 1 && channels !== 2) || rate < 1000) return null;
  // Audio begins on a fresh page after the setup header's (Vorbis I §A.2).
  const firstAudioPage = setup.page + 1;
  const lastGranule = pages[pages.length - 1]!.granule;
  if (!(lastGranule > 0)) return null;

  const first = Math.round(startS * rate);
  const wanted = Math.round(lengthS * rate);
  if (first >= lastGranule) return null;
  // Start after the last page that ends PREROLL samples before the excerpt (or at the beginning).
  let from = firstAudioPage;
  for (let p = firstAudioPage; p < pages.length; p++) {
    const g = pages[p]!.granule;
    if (g < 0) continue;
    if (g > first - PREROLL) break;
    from = p + 1;
  }
  // And stop at the first page that ends past the excerpt.
  let to = from;
  while (to < pages.length - 1 && !(pages[to]!.granule >= first + wanted)) to++;
  const packets = packetsOf(bytes, pages, from, to);
  if (!packets || packets.length === 0) return null;

  const Decoder = await vorbisDecoderClass();
  const decoder = new Decoder();
  await decoder.ready;
  try {
    const inner = decoder._decoder;
    // This build of libvorbis takes the identification and setup headers only (the package's own
    // Ogg reader sends no comment header either; sending one makes the setup header fail).
    inner.sendSetupHeader(id.data);
    inner.sendSetupHeader(setup.data);
    inner.initDsp();
    const { wasm } = inner._common;
    // One page of decoded mono samples (grown when a page holds more).
    let staging = new Float32Array(1 << 16);
    /** Decodes one packet, mixed to mono into `staging` from `at`; its sample count, or −1. */
    const decodeInto = (data: Uint8Array, at: number): number => {
      inner._input.buf.set(data);
      inner._inputLen.buf[0] = data.length;
      wasm.decode_packets(inner._decoder);
      if (inner._errorsLength.buf[0] !== 0 || inner._channels.buf[0] !== channels) return -1;
      const count = inner._samplesDecoded.buf[0]!;
      if (count === 0) return 0;
      if (at + count > staging.length) {
        const grown = new Float32Array(Math.max(2 * staging.length, at + count));
        grown.set(staging.subarray(0, at));
        staging = grown;
      }
      const pointers = new Uint32Array(wasm.HEAP, inner._outputBufferPtr.buf[0]!, channels);
      const l = new Float32Array(wasm.HEAP, pointers[0]!, count);
      if (channels === 2) {
        const r = new Float32Array(wasm.HEAP, pointers[1]!, count);
        for (let j = 0; j < count; j++) staging[at + j] = (l[j]! + r[j]!) * Math.SQRT1_2;
      } else staging.set(l, at);
      return count;
    };
    const excerpt = new Float32Array(wanted);
    // Samples decoded so far; `origin` is the granule time of the first one once known.
    let decoded = 0;
    let origin: number | undefined;
    let kept = 0;
    let i = 0;
    while (i < packets.length) {
      // One page's packets, mixed to mono into `staging`; then its granule position places them.
      const page = packets[i]!.page;
      let n = 0;
      for (; i < packets.length && packets[i]!.page === page; i++) {
        const count = decodeInto(packets[i]!.data, n);
        if (count < 0) return null;
        n += count;
      }
      const granule = pages[page]!.granule;
      const isLast = page === pages.length - 1;
      if (origin === undefined) {
        // From the stream's beginning the first sample decoded is sample 0, as ffmpeg has it.
        origin = from === firstAudioPage ? 0 : granule - (decoded + n);
      } else if (!isLast && Math.abs(granule - (origin + decoded + n)) > GRANULE_SLACK) return null;
      // Keep what falls inside [first, first + wanted), up to the stream's end.
      const blockStart = origin + decoded;
      const lo = Math.max(first, blockStart, 0);
      const hi = Math.min(first + wanted, blockStart + n, lastGranule);
      if (hi > lo) {
        excerpt.set(staging.subarray(lo - blockStart, hi - blockStart), lo - first);
        kept = Math.max(kept, hi - first);
      }
      decoded += n;
      if (blockStart + n >= first + wanted) break;
    }
    if (origin === undefined || kept <= 0) return null;
    const mono = excerpt.subarray(0, kept);
    const pcm = rate === sampleRate ? mono : resamplePcm(mono, rate, sampleRate);
    return { pcm, sampleRate, durationS: lastGranule / rate };
  } catch {
    return null; // the decoder refused a packet: ffmpeg decides
  } finally {
    decoder.free();
  }
}
