/**
 * Splits an Ogg file held in memory into the packets of its one logical stream (RFC 3533),
 * including packets that continue from one page onto the next — which prism-media's `OggDemuxer`
 * (1.3.5) does not handle: given a page whose last lacing value is 255 it waits for more data
 * forever, so every later packet is silently lost.
 *
 * Strict on purpose: anything unusual — a page that fails its CRC, a broken page chain, a gap in
 * the page sequence numbers (a lost page), a second logical stream (multiplexed or chained), a
 * continuation flag that disagrees with the previous page, a packet left unfinished at the end —
 * returns null, and the caller decodes with ffmpeg, which knows how to resynchronise and words
 * the error.
 *
 * @module
 */
import { oggCrcValid } from './ogg-crc.js';

/** One page of the stream, as far as timing goes. */
export interface OggPageInfo {
  /**
   * Granule position (codec-defined; 48 kHz samples for Opus), or −1 when no packet ends on the
   * page (RFC 3533 §6).
   */
  readonly granule: number;
  /** Number of packets that end on this page. */
  readonly packetsEnded: number;
}

/** The packets and pages of one logical Ogg stream. */
export interface OggStream {
  /** Bitstream serial number (header bytes 14–17, little-endian). */
  readonly serial: number;
  /** Every complete packet in order, header packets included; views into the input where possible. */
  readonly packets: Uint8Array[];
  /** Every page in order. */
  readonly pages: OggPageInfo[];
}

/** `header_type` flag: this page begins with the continuation of the previous page's last packet. */
const CONTINUED = 0x01;

/** Where one Ogg page lies in a file and what its header says (RFC 3533 §6). */
export interface OggPageHeader {
  /** First byte of the page ("OggS"). */
  readonly start: number;
  /** First byte of the body, after the 27-byte header and the lacing values. */
  readonly body: number;
  /** One past the last byte of the body. */
  readonly end: number;
  /** `header_type` flags: 0x01 continued, 0x02 beginning of stream, 0x04 end of stream. */
  readonly flags: number;
  /** Bitstream serial number. */
  readonly serial: number;
  /** Page sequence number. */
  readonly sequence: number;
  /** Granule position, or −1 when no packet ends on the page. */
  readonly granule: number;
  /** Number of lacing values (segments). */
  readonly segments: number;
}

/**
 * The header of the page at byte `at`, without checking its CRC.
 *
 * @param bytes - the file
 * @param view - a DataView over exactly `bytes`
 * @param at - where the page should start
 * @returns the header, or null when no version-0 page starts there or it runs past the end
 */
export function readOggPageHeader(
  bytes: Uint8Array,
  view: DataView,
  at: number,
): OggPageHeader | null {
  if (at + 27 > bytes.length) return null;
  if (view.getUint32(at) !== 0x4f676753 || bytes[at + 4] !== 0) return null; // "OggS", v0
  const segments = bytes[at + 26]!;
  const body = at + 27 + segments;
  if (body > bytes.length) return null;
  let length = 0;
  for (let i = 0; i < segments; i++) length += bytes[at + 27 + i]!;
  const end = body + length;
  if (end > bytes.length) return null;
  return {
    start: at,
    body,
    end,
    flags: bytes[at + 5]!,
    serial: view.getUint32(at + 14, true),
    sequence: view.getUint32(at + 18, true),
    granule: Number(view.getBigInt64(at + 6, true)),
    segments,
  };
}

/**
 * Reads every page of an Ogg file and reassembles its packets.
 *
 * @param bytes - the whole file (pages back to back from byte 0, as written by libogg or ffmpeg)
 * @returns the stream's packets and pages, or null when the bytes are not one clean logical
 *   stream (see the module comment); never throws on bad input
 */
export function readOggPackets(bytes: Uint8Array): OggStream | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: Uint8Array[] = [];
  const pages: OggPageInfo[] = [];
  let serial: number | null = null;
  let firstSequence: number | undefined;
  let partial: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const page = readOggPageHeader(bytes, view, at);
    if (page === null) return null;
    const { segments, body: bodyStart, end: pageEnd } = page;
    if (!oggCrcValid(bytes.subarray(at, pageEnd))) return null;
    if (serial === null) serial = page.serial;
    else if (page.serial !== serial) return null;
    // Page sequence numbers count up from the first page without gaps: a gap is a lost page.
    firstSequence ??= page.sequence;
    if (page.sequence !== firstSequence + pages.length) return null;
    const continued = (page.flags & CONTINUED) !== 0;
    if (continued !== partial.length > 0) return null;

    let packetsEnded = 0;
    let offset = bodyStart;
    let runStart = bodyStart;
    for (let i = 0; i < segments; i++) {
      const lacing = bytes[at + 27 + i]!;
      offset += lacing;
      if (lacing < 255) {
        const piece = bytes.subarray(runStart, offset);
        packets.push(partial.length > 0 ? concatPieces([...partial, piece]) : piece);
        partial = [];
        packetsEnded++;
        runStart = offset;
      }
    }
    if (runStart < pageEnd) {
      // The last lacing value was 255: the packet goes on in the next page.
      partial.push(bytes.subarray(runStart, pageEnd));
    }
    pages.push({ granule: page.granule, packetsEnded });
    at = pageEnd;
  }
  if (serial === null || partial.length > 0) return null;
  return { serial, packets, pages };
}

/**
 * The pieces of a packet split over pages, joined into one new array.
 *
 * @param pieces - the packet's bytes on each page, in order
 * @returns a copy holding all of them, `Σ length` bytes
 */
export function concatPieces(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
