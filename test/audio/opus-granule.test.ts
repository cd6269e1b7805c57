/**
 * In-process Ogg Opus decoding of streams whose last granule position counts the pre-skip without
 * a packet that holds those samples — what ffmpeg's libopus encoder writes at the end of some
 * inputs, among them the 15 s voice notes `npm run bench:recommend` cuts. These used to be handed
 * to an ffmpeg child process; they decode in process now, to ffmpeg's length. A larger shortfall
 * (samples missing) still goes to ffmpeg.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeOggOpusMono } from '../../core/audio/opus-decode.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { demoTrack } from '../helpers/paths.js';
import { ffmpeg } from './helpers.js';

const SR = DEFAULT_LOG_MEL.sampleRate;

/** One Ogg page as written, read independently of the code under test. */
interface RawPage {
  readonly start: number;
  readonly end: number;
  readonly granule: bigint;
  readonly packets: Uint8Array[];
}

/** The pages of an Ogg file and the packets ending on each (no packet spans pages here). */
function rawPages(bytes: Uint8Array): RawPage[] {
  const pages: RawPage[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 27 <= bytes.length) {
    const lacing = [...bytes.subarray(at + 27, at + 27 + bytes[at + 26]!)];
    let body = at + 27 + lacing.length;
    const packets: Uint8Array[] = [];
    let run = body;
    for (const l of lacing) {
      body += l;
      if (l < 255) {
        packets.push(bytes.subarray(run, body));
        run = body;
      }
    }
    pages.push({ start: at, end: body, granule: view.getBigInt64(at + 6, true), packets });
    at = body;
  }
  return pages;
}

/** Samples at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 §3.1). */
function packetSamples(packet: Uint8Array): number {
  const toc = packet[0]!;
  const config = toc >> 3;
  const frame =
    config < 12
      ? [480, 960, 1920, 2880][config & 3]!
      : config < 16
        ? [480, 960][config & 1]!
        : [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  return frame * (code === 0 ? 1 : code < 3 ? 2 : packet[1]! & 0x3f);
}

/** Ogg's CRC-32 (polynomial 0x04c11db7, no reflection, zero start; RFC 3533 §6). */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let b = 0; b < 8; b++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/** A copy of `bytes` whose last page carries `granule`, with its CRC recomputed. */
function withLastGranule(bytes: Uint8Array, granule: bigint): Uint8Array {
  const last = rawPages(bytes).at(-1)!;
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  view.setBigInt64(last.start + 6, granule, true);
  view.setUint32(last.start + 22, 0, true);
  view.setUint32(last.start + 22, oggCrc(copy.subarray(last.start, last.end)), true);
  return copy;
}

/** What a file's pages promise against what its packets hold, in 48 kHz samples. */
function shortfall(bytes: Uint8Array): { shortfall: number; preSkip: number } {
  const pages = rawPages(bytes);
  const head = pages[0]!.packets[0]!;
  const preSkip = head[10]! | (head[11]! << 8);
  const decoded = pages
    .slice(2)
    .flatMap((p) => p.packets)
    .reduce((n, p) => n + packetSamples(p), 0);
  return { shortfall: Number(pages.at(-1)!.granule) - decoded, preSkip };
}

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('Ogg Opus whose last granule position counts the pre-skip', () => {
  let dir: string;
  let bytes: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-granule-'));
    const out = path.join(dir, 'voice-note.ogg');
    // The voice note bench/recommend-only.ts cuts: 15 s, 24 kbit/s mono, input seeking.
    ffmpeg([
      ...['-ss', '7', '-t', '15', '-i', demoTrack('ambient_electronic__A_New_Journey.ogg')],
      ...['-ac', '1', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', out],
    ]);
    bytes = readFileSync(out);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes in process to the length and waveform ffmpeg gives', async () => {
    const { shortfall: missing, preSkip } = shortfall(bytes);
    // What the file must show for this test to mean anything: the last granule position lies
    // beyond the packets' samples, by no more than the pre-skip.
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThanOrEqual(preSkip);
    const ours = await decodeOggOpusMono(bytes, SR);
    expect(ours).not.toBeNull();
    const theirs = await decodeAudio(bytes, { sampleRate: SR, inProcess: false });
    expect(Math.abs(ours!.pcm.length - theirs.pcm.length)).toBeLessThanOrEqual(1);
    expect(correlation(ours!.pcm, theirs.pcm)).toBeGreaterThan(0.95);
    const viaDecode = await decodeAudio(bytes, { sampleRate: SR });
    expect(viaDecode.pcm).toEqual(ours!.pcm);
  });

  it('still refuses a stream whose packets fall short of its last granule position', async () => {
    const last = rawPages(bytes).at(-1)!.granule;
    // 100 ms more than the file's own granule: samples are missing, not just the pre-skip.
    const short = withLastGranule(bytes, last + 4800n);
    expect(shortfall(short).shortfall).toBeGreaterThan(shortfall(short).preSkip + 120);
    expect(await decodeOggOpusMono(short, SR)).toBeNull();
    // The rewritten page is valid Ogg (its CRC recomputed): the refusal is the granule check's.
    expect(await decodeOggOpusMono(withLastGranule(bytes, last), SR)).not.toBeNull();
  });
});
