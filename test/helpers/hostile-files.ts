/**
 * Hostile audio files made in the test that uses them (nothing big is committed): an Ogg Opus
 * stream of 1-byte packets whose last granule position claims a short duration, an MP3 behind an
 * ID3v2 tag of very many frames, a FLAC file whose header claims hundreds of hours, and a WAV as a
 * streaming writer leaves it (RIFF and data sizes 0xFFFFFFFF).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpeg } from './audio.js';

/** CRC-32 of an Ogg page (RFC 3533 §6: polynomial 0x04C11DB7, MSB first, initial 0). */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let b = 0; b < 8; b++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) t[i] = oggCrc(Uint8Array.of(i));
  return t;
})();

function fastOggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ page[i]!) & 0xff]!) >>> 0;
  }
  return crc;
}

/** One Ogg page holding `packets` (each < 255 bytes), with its CRC. */
function oggPage(
  packets: readonly Uint8Array[],
  granule: bigint,
  sequence: number,
  headerType: number,
): Buffer {
  const body = Buffer.concat(packets);
  const lacing = packets.map((p) => p.length);
  const page = Buffer.alloc(27 + lacing.length + body.length);
  page.write('OggS', 0, 'latin1');
  page[4] = 0;
  page[5] = headerType;
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(0x5eed, 14);
  page.writeUInt32LE(sequence, 18);
  page[26] = lacing.length;
  Buffer.from(lacing).copy(page, 27);
  body.copy(page, 27 + lacing.length);
  page.writeUInt32LE(fastOggCrc(page), 22);
  return page;
}

/**
 * An Ogg Opus file (RFC 7845) of about `bytes` bytes whose audio packets are all 1 byte long (a
 * TOC byte of a 20 ms CELT frame with no payload, which a decoder conceals as 20 ms of audio), so
 * that its packets hold far more audio than its last granule position, `claimedS` seconds, says.
 *
 * @param bytes - approximate file size (≥ 1 KiB)
 * @param claimedS - the duration the last page's granule position claims, seconds
 */
export function oggOpusOfOneBytePackets(bytes: number, claimedS: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12);
  const tags = Buffer.alloc(16);
  tags.write('OpusTags', 0, 'latin1');
  const pages: Buffer[] = [oggPage([head], 0n, 0, 2), oggPage([tags], 0n, 1, 0)];
  const packet = Uint8Array.of(0xf8); // config 31 (CELT FB 20 ms), mono, one frame
  const perPage = Array.from({ length: 255 }, () => packet);
  const pageBytes = 27 + 255 + 255;
  const count = Math.max(1, Math.floor((bytes - 200) / pageBytes));
  const finalGranule = BigInt(Math.round(claimedS * 48_000) + 312);
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const granule = (finalGranule * BigInt(i + 1)) / BigInt(count);
    pages.push(oggPage(perPage, granule, i + 2, last ? 4 : 0));
  }
  return Buffer.concat(pages);
}

/**
 * An ID3v2.3 tag of `frames` small text frames (TXXX), followed by `audio` (an MP3 stream).
 *
 * @param frames - number of frames in the tag
 * @param audio - the MP3 bytes after the tag
 */
export function mp3BehindManyId3Frames(frames: number, audio: Buffer): Buffer {
  // Distinct descriptions: each frame is a new metadata key for the reader to store.
  const parts = Array.from({ length: frames }, (_, i) => {
    const text = Buffer.from(`\0k${i.toString(36)}\0v`, 'latin1');
    const frame = Buffer.alloc(10 + text.length);
    frame.write('TXXX', 0, 'latin1');
    frame.writeUInt32BE(text.length, 4);
    text.copy(frame, 10);
    return frame;
  });
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(10);
  header.write('ID3', 0, 'latin1');
  header[3] = 3;
  const size = body.length;
  header[6] = (size >>> 21) & 0x7f;
  header[7] = (size >>> 14) & 0x7f;
  header[8] = (size >>> 7) & 0x7f;
  header[9] = size & 0x7f;
  return Buffer.concat([header, body, audio]);
}

/**
 * A copy of a FLAC file whose STREAMINFO claims `totalSamples` samples (a corrupt header): the
 * 36-bit total-samples field of the first metadata block (fLaC spec, METADATA_BLOCK_STREAMINFO).
 *
 * @param flac - a FLAC file's bytes (STREAMINFO first, as every encoder writes it)
 * @param totalSamples - the value written (< 2^36)
 */
export function flacClaimingSamples(flac: Buffer, totalSamples: number): Buffer {
  const out = Buffer.from(flac);
  if (out.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  // STREAMINFO body starts at 8; total samples: low 4 bits of byte 8+13, then bytes 8+14..8+17.
  const at = 8 + 13;
  const high = Math.floor(totalSamples / 2 ** 32) & 0x0f;
  out[at] = (out[at]! & 0xf0) | high;
  out.writeUInt32BE(totalSamples % 2 ** 32, at + 1);
  return out;
}

/**
 * Makes a test tone with ffmpeg in `dir` and returns its bytes.
 *
 * @param dir - a scratch folder
 * @param name - file name; its extension picks the container (`.mp3`, `.flac`, `.wav`)
 * @param seconds - length
 * @param extra - more output options (e.g. `['-f', 'wav']`)
 */
export async function toneFile(
  dir: string,
  name: string,
  seconds: number,
  extra: readonly string[] = [],
): Promise<Buffer> {
  const file = path.join(dir, name);
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`],
    ...['-ac', '1', ...extra, file],
  ]);
  return readFile(file);
}
