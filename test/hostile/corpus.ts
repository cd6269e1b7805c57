/**
 * The hostile-input corpus (test/fixtures/hostile/manifest.json): the committed files are copied,
 * the others made here, deterministically (seeded random bytes; ffmpeg with -bitexact), from the
 * demo track "Metal madness" (data/demo/tracks, licence in data/demo). Made files would be big (a
 * 3-hour file, 24 MB of 8-channel 192 kHz audio) or are cut from music, which is not copied into
 * the fixtures.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpeg } from '../helpers/audio.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';

/** Folder of the committed hostile files and the manifest. */
export const HOSTILE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'hostile');

/** The demo track the generated music inputs are cut from (it is in every test catalogue). */
export const SOURCE_TRACK = 'metal_rock__Metal_madness.ogg';

/** What the chat service answers. */
export type ChatExpectation =
  | 'results'
  | 'not-music'
  | 'empty'
  | 'unreadable'
  | 'too-long'
  | 'too-short';

/** One manifest entry. */
export interface HostileCase {
  readonly id: string;
  /** File name (may hold control characters and backslashes). */
  readonly file: string;
  readonly origin: 'committed' | 'generated';
  readonly what: string;
  /** The error code, when the input must be refused. */
  readonly code?: string;
  /** What recommend prints when it is not refused. */
  readonly answer?: 'results' | 'not-music';
  readonly chat: ChatExpectation;
  readonly ingest: string;
}

/** The manifest's cases, in order. */
export function hostileCases(): HostileCase[] {
  const manifest = JSON.parse(readFileSync(path.join(HOSTILE_DIR, 'manifest.json'), 'utf8')) as {
    cases: HostileCase[];
  };
  return manifest.cases;
}

/** Deterministic bytes (a 32-bit LCG, top byte). */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const BITEXACT = ['-fflags', '+bitexact', '-flags:a', '+bitexact'];

/** Encoders of the truncated / header-garbage sources, by extension. */
const CODECS: Record<string, string[]> = {
  ogg: ['-c:a', 'libvorbis', '-q:a', '2'],
  opus: ['-c:a', 'libopus', '-b:a', '24k'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  flac: ['-c:a', 'flac'],
  wav: [],
  m4a: ['-c:a', 'aac', '-b:a', '64k'],
  webm: ['-c:a', 'libopus', '-b:a', '24k'],
};

/**
 * Writes every case's file into `dir` (created) and returns the paths by case id. The hostile
 * names live in a sub-folder whose name makes their full path longer than 300 characters.
 *
 * @param dir - an empty temporary folder: it receives the corpus files only
 * @param work - another temporary folder, for intermediate files
 * @returns case id → absolute path
 */
export async function materialiseCorpus(dir: string, work: string): Promise<Map<string, string>> {
  await mkdir(work, { recursive: true });
  const source = demoTrack(SOURCE_TRACK);
  const base = path.join(work, 'base.wav');
  await ffmpeg([
    '-ss',
    '5',
    '-t',
    '12',
    '-i',
    source,
    '-ac',
    '1',
    '-ar',
    '22050',
    ...BITEXACT,
    base,
  ]);
  const encoded = async (ext: string): Promise<string> => {
    const out = path.join(work, `source.${ext}`);
    await ffmpeg(['-i', base, ...(CODECS[ext] ?? []), ...BITEXACT, out]);
    return out;
  };

  const deepDir = path.join(dir, 'a-folder-whose-name-is-long-'.repeat(3).slice(0, 80));
  await mkdir(deepDir, { recursive: true });
  const paths = new Map<string, string>();
  for (const c of hostileCases()) {
    const target = path.join(c.id.startsWith('hostile-name') ? deepDir : dir, c.file);
    paths.set(c.id, target);
    if (c.origin === 'committed') {
      await copyFile(path.join(HOSTILE_DIR, c.file), target);
      continue;
    }
    await writeFile(target, await generate(c.id, encoded, work, source, base));
  }
  return paths;
}

async function generate(
  id: string,
  encoded: (ext: string) => Promise<string>,
  work: string,
  source: string,
  base: string,
): Promise<Buffer> {
  const truncated = /^truncated-(\w+)$/.exec(id);
  if (truncated) {
    const bytes = await readFile(await encoded(truncated[1] as string));
    return bytes.subarray(0, bytes.length >> 1);
  }
  const garbage = /^header-garbage-(\w+)$/.exec(id);
  if (garbage) {
    const bytes = await readFile(await encoded(garbage[1] as string));
    return Buffer.concat([bytes.subarray(0, 4096), seededBytes(bytes.length - 4096, 11)]);
  }
  switch (id) {
    case 'header-noise-wav': {
      const bytes = Buffer.from(await readFile(await encoded('wav')));
      const data = bytes.indexOf('data') + 8;
      seededBytes(bytes.length - data, 13).copy(bytes, data);
      return bytes;
    }
    case 'three-hours': {
      const ten = path.join(work, 'ten.opus');
      await ffmpeg([
        ...['-ss', '5', '-t', '10', '-i', source, '-ac', '1', '-ar', '8000'],
        ...['-c:a', 'libopus', '-b:a', '6k', ...BITEXACT, ten],
      ]);
      const long = path.join(work, 'three-hours.opus');
      // Stream copy: 1,086 loops of 10 s = 3 h 1 min, written in about a second.
      await ffmpeg(['-stream_loop', '1085', '-i', ten, '-c', 'copy', ...BITEXACT, long]);
      return readFile(long);
    }
    case 'eight-channel-192k': {
      const out = path.join(work, 'eight.wav');
      await ffmpeg([
        ...['-ss', '5', '-t', '8', '-i', source, '-ac', '8', '-ar', '192000'],
        ...['-c:a', 'pcm_s16le', ...BITEXACT, out],
      ]);
      return readFile(out);
    }
    case 'oversized-ogg-page': {
      const out = path.join(work, 'long.ogg');
      await ffmpeg(['-ss', '0', '-t', '24', '-i', source, '-c:a', 'libvorbis', ...BITEXACT, out]);
      return oversizePage(await readFile(out), 1);
    }
    case 'huge-title': {
      const out = path.join(work, 'huge-title.ogg');
      const title = `Ünïcødé \u0001\u001b[31mred\u001b[0m\u0007 ${'x'.repeat(100_000)}`;
      await ffmpeg(['-i', await encoded('ogg'), '-c', 'copy', '-metadata', `title=${title}`, out]);
      return readFile(out);
    }
    case 'binary-title': {
      const out = path.join(work, 'plain.mp3');
      await ffmpeg(['-i', base, ...(CODECS.mp3 ?? []), '-id3v2_version', '0', ...BITEXACT, out]);
      return Buffer.concat([id3BinaryTitle(1024 * 1024), await readFile(out)]);
    }
    case 'hostile-name':
      return readFile(await encoded('ogg'));
    case 'hostile-name-broken':
      return seededBytes(8192, 17);
    default:
      throw new Error(`no generator for hostile case ${id}`);
  }
}

/** An ID3v2.3 tag holding one TIT2 (title) frame of `size` random bytes (encoding ISO-8859-1). */
function id3BinaryTitle(size: number): Buffer {
  const body = Buffer.concat([Buffer.from([0]), seededBytes(size, 19)]);
  const frame = Buffer.alloc(10);
  frame.write('TIT2', 0, 'latin1');
  frame.writeUInt32BE(body.length, 4);
  const tagSize = frame.length + body.length;
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  // Tag size is "synchsafe": 4 × 7 bits.
  for (let i = 0; i < 4; i++) header[9 - i] = (tagSize >>> (7 * i)) & 0x7f;
  return Buffer.concat([header, frame, body]);
}

/**
 * Rewrites the `index`-th Ogg page of `bytes` to claim the largest body a page can have (255
 * lacing values of 255), so that it swallows the pages after it, and gives it the CRC of what it
 * now claims, so that a demuxer cannot reject it by checksum alone.
 */
function oversizePage(bytes: Buffer, index: number): Buffer {
  let at = 0;
  for (let i = 0; i < index; i++) at = pageEnd(bytes, at);
  const segments = bytes[at + 26] as number;
  const oldHeader = 27 + segments;
  const newHeader = Buffer.alloc(27 + 255);
  bytes.copy(newHeader, 0, at, at + 27);
  newHeader[26] = 255;
  newHeader.fill(255, 27);
  const rest = bytes.subarray(at + oldHeader);
  if (rest.length < 255 * 255) throw new Error('source too short for an oversized page');
  const out = Buffer.concat([bytes.subarray(0, at), newHeader, rest]);
  const page = out.subarray(at, at + newHeader.length + 255 * 255);
  page.writeUInt32LE(0, 22);
  page.writeUInt32LE(oggCrc(page), 22);
  return out;
}

function pageEnd(bytes: Buffer, at: number): number {
  const segments = bytes[at + 26] as number;
  let body = 0;
  for (let i = 0; i < segments; i++) body += bytes[at + 27 + i] as number;
  return at + 27 + segments + body;
}

/** Ogg CRC-32 (polynomial 0x04C11DB7, MSB first, initial 0; RFC 3533 §6). */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let b = 0; b < 8; b++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}
