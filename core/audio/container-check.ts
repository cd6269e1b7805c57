/**
 * Structural truncation checks for the containers where ffmpeg decodes a cut-off file without a
 * word. Measured with ffmpeg 5.1: an Ogg Vorbis or Ogg Opus file cut at half its bytes decodes
 * with exit code 0, no message at any log level up to `debug`, and a declared duration that
 * matches the decoded half (the Ogg demuxer reads the duration from the last granule position it
 * finds). So the Ogg check looks at the bytes: the final page must be complete.
 *
 * A RIFF/WAVE file whose `data` chunk declares more bytes than the file holds is cut off too.
 */
import { open } from 'node:fs/promises';
import { oggCrcValid } from './ogg-crc.js';

/** Largest Ogg page: 27-byte header + 255 lacing values + 255 × 255 body bytes (RFC 3533 §6). */
const MAX_OGG_PAGE = 27 + 255 + 255 * 255;

/**
 * Tells whether a file's container says bytes are missing at its end.
 *
 * Ogg (RFC 3533): the file is complete when some page found in the last 64 KiB has a valid CRC
 * and ends exactly at end of file; it is truncated when instead the last page header found runs
 * past the end. A missing end-of-stream flag alone is accepted (some recorders never write it),
 * so a cut exactly on a page boundary is not detected. RIFF/WAVE: truncated when the `data`
 * chunk's declared size runs past the end by more than 1 % or 8 KiB (the placeholders 0 and 0xFFFFFFFF of streaming writers
 * are accepted). Other containers: no opinion (ffmpeg's own diagnostics and the duration check in
 * `decode.ts` cover them).
 *
 * @param file - path of a local file
 * @param size - its size in bytes
 * @returns a short reason ("the last Ogg page is cut off") when truncated, otherwise null
 */
export async function findContainerTruncation(file: string, size: number): Promise<string | null> {
  return (await inspectContainer(file, size)).truncated;
}

/** What the first and last bytes of a file say before any decoder opens it. */
export interface ContainerFacts {
  /** A short reason when bytes are missing at the end (see {@link findContainerTruncation}), else null. */
  readonly truncated: string | null;
  /**
   * A RIFF/WAVE file as a streaming writer leaves it (`ffmpeg -f wav pipe:1`): a `data` size of 0
   * or 0xFFFFFFFF. Its last packet is short by design, which decoders flag as corrupt.
   */
  readonly streamedWav: boolean;
  /**
   * Bytes of a large ID3v2 tag at the start (≥ {@link ID3_SKIP_BYTES}; 0 when none or small).
   * Decoders are told to skip it: FFmpeg stores every frame of a tag as metadata, at a cost that
   * grows with the square of the number of frames.
   */
  readonly id3Bytes: number;
}

/** ID3v2 tags from this size on are skipped by the decoders (see `ContainerFacts.id3Bytes`). */
export const ID3_SKIP_BYTES = 64 * 1024;

/**
 * Reads the first 64 KiB (and, for Ogg, the last page) of a file: truncation, a streamed WAV, a
 * large ID3v2 tag.
 *
 * @param file - path of a local regular file
 * @param size - its size in bytes
 * @returns the facts
 * @throws the file system's error when the file cannot be opened or read
 */
export async function inspectContainer(file: string, size: number): Promise<ContainerFacts> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    const facts = { truncated: null, streamedWav: false, id3Bytes: id3TagBytes(head) };
    if (head.toString('latin1', 0, 4) === 'OggS') {
      const tailLength = Math.min(size, MAX_OGG_PAGE + 1024);
      const tail = Buffer.alloc(tailLength);
      await handle.read(tail, 0, tailLength, size - tailLength);
      return {
        ...facts,
        truncated: oggTailTruncated(tail) ? 'the last Ogg page is cut off' : null,
      };
    }
    if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') {
      const data = wavDataSize(head);
      const streamed = data === 0 || data === 0xffffffff;
      const cut = data !== null && !streamed && wavDataTruncated(head, data, size);
      return {
        ...facts,
        streamedWav: streamed,
        truncated: cut ? 'the WAV data chunk is cut off' : null,
      };
    }
    return facts;
  } finally {
    await handle.close();
  }
}

/** Size of an ID3v2 tag at the start of `head` (header, body, footer) when ≥ {@link ID3_SKIP_BYTES}, else 0. */
function id3TagBytes(head: Buffer): number {
  if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') return 0;
  const sizeBytes = [head[6]!, head[7]!, head[8]!, head[9]!];
  if (sizeBytes.some((b) => b > 0x7f)) return 0; // not a synchsafe size: not a tag
  const body = (sizeBytes[0]! << 21) | (sizeBytes[1]! << 14) | (sizeBytes[2]! << 7) | sizeBytes[3]!;
  const footer = (head[5]! & 0x10) !== 0 ? 10 : 0;
  const total = 10 + body + footer;
  return total >= ID3_SKIP_BYTES ? total : 0;
}

/**
 * True when the final Ogg page in `tail` (the last bytes of a file) is incomplete.
 *
 * @param tail - the last ≥ 65,307 bytes of the file (or the whole file when smaller)
 */
export function oggTailTruncated(tail: Uint8Array): boolean {
  const candidates: number[] = [];
  for (let i = 0; i + 5 <= tail.length; i++) {
    // "OggS" capture pattern followed by stream structure version 0.
    if (
      tail[i] === 0x4f &&
      tail[i + 1] === 0x67 &&
      tail[i + 2] === 0x67 &&
      tail[i + 3] === 0x53 &&
      tail[i + 4] === 0
    ) {
      candidates.push(i);
    }
  }
  if (candidates.length === 0) return false;
  for (const start of candidates) {
    const end = oggPageEnd(tail, start);
    if (end === tail.length && oggCrcValid(tail.subarray(start, end))) return false;
  }
  const last = candidates[candidates.length - 1]!;
  const lastEnd = oggPageEnd(tail, last);
  return lastEnd === null || lastEnd > tail.length;
}

/** End offset of the page starting at `start`, or null when its header itself is cut off. */
function oggPageEnd(buf: Uint8Array, start: number): number | null {
  if (start + 27 > buf.length) return null;
  const segments = buf[start + 26]!;
  if (start + 27 + segments > buf.length) return null;
  let body = 0;
  for (let i = 0; i < segments; i++) body += buf[start + 27 + i]!;
  return start + 27 + segments + body;
}

/** The declared size of the `data` chunk found in `head`, or null when it is not there. */
function wavDataSize(head: Buffer): number | null {
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = head.toString('latin1', offset, offset + 4);
    const chunkSize = head.readUInt32LE(offset + 4);
    if (id === 'data') return chunkSize;
    offset += 8 + chunkSize + (chunkSize % 2);
  }
  return null;
}

/** True when the `data` chunk declares more bytes than the file has. */
function wavDataTruncated(head: Buffer, chunkSize: number, size: number): boolean {
  let offset = 12;
  while (offset + 8 <= head.length && head.toString('latin1', offset, offset + 4) !== 'data') {
    const skip = head.readUInt32LE(offset + 4);
    offset += 8 + skip + (skip % 2);
  }
  // Slack for sloppy writers that miscount a header or padding by a few bytes.
  const missing = offset + 8 + chunkSize - size;
  return missing > Math.max(8192, chunkSize * 0.01);
}
