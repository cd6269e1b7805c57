/** The chat service against the real engine and model on the ten-track test catalogue. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatAnswer, ClipInput } from '../../../bots/shared/types.js';
import { ffmpeg } from '../../helpers/audio.js';
import { type BotTestEngine, openBotTestEngine } from '../engine.js';

let t: BotTestEngine;
let silence: string;

beforeAll(async () => {
  t = await openBotTestEngine();
  silence = path.join(t.dir, 'silence.ogg');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'anullsrc=r=48000:cl=mono',
    '-t',
    '10',
    '-c:a',
    'libopus',
    silence,
  ]);
});

afterAll(async () => {
  await t?.close();
});

/** A clip read from a file, counting reads. */
function fileClip(
  file: string,
  overrides: Partial<ClipInput> = {},
): ClipInput & { readonly reads: () => number } {
  let reads = 0;
  return {
    platform: 'telegram',
    kind: 'voice',
    conversation: 'engine-chat',
    user: `user-${Math.random()}`,
    fileName: 'voice.ogg',
    mimeType: 'audio/ogg',
    async read() {
      reads++;
      return new Uint8Array(await readFile(file));
    },
    reads: () => reads,
    ...overrides,
  };
}

const ids = (a: ChatAnswer) => (a.kind === 'results' ? a.results.map((r) => r.trackId) : []);

describe('chat service (real engine)', () => {
  it('answers a voice note of a catalogue track with the match, five results and a spectrogram', async () => {
    const answer = await t.service.handleClip(fileClip(t.voiceNoteOfCatalogueTrack));
    expect(answer.kind).toBe('results');
    if (answer.kind !== 'results') return;
    expect(answer.match?.trackId).toBe(t.catalogueTrackId);
    expect(answer.match?.label).toContain(t.catalogueTrackTitle);
    expect(answer.results).toHaveLength(5);
    expect(ids(answer)).not.toContain(t.catalogueTrackId);
    for (const r of answer.results) {
      expect(r.label.length).toBeGreaterThan(0);
      expect(r.reason.length).toBeGreaterThan(0);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
    }
    expect(answer.summary).toMatch(/BPM/);
    const png = PNG.sync.read(Buffer.from(answer.spectrogramPng ?? new Uint8Array()));
    expect(png.height).toBe(64 * 4);
    expect(png.width).toBeGreaterThan(100);
  });

  it('answers a file that is not audio as unreadable', async () => {
    const answer = await t.service.handleClip(
      fileClip(t.notAudioFile, { kind: 'audio', fileName: 'song.mp3', mimeType: 'audio/mpeg' }),
    );
    expect(answer).toMatchObject({ kind: 'rejected', reason: 'unreadable' });
    expect(answer.kind === 'rejected' && answer.text).toMatch(/couldn't read that as audio/);
  });

  it('refuses an announced 30 MB file without downloading it', async () => {
    const clip = fileClip(t.voiceNoteOfCatalogueTrack, { byteLength: 30 * 1024 * 1024 });
    const answer = await t.service.handleClip(clip);
    expect(answer).toMatchObject({ kind: 'rejected', reason: 'too-big' });
    expect(clip.reads()).toBe(0);
  });

  it('answers silence with "I couldn\'t hear music in that"', async () => {
    const answer = await t.service.handleClip(fileClip(silence));
    expect(answer).toMatchObject({ kind: 'rejected', reason: 'not-music' });
    expect(answer.kind === 'rejected' && answer.text).toMatch(/couldn't hear music in that/);
  });

  it('re-ranks the next answer after 👎, and forget restores it', async () => {
    const chat = { conversation: 'vote-chat' };
    const first = ids(await t.service.handleClip(fileClip(t.voiceNoteOfCatalogueTrack, chat)));
    const top = first[0] as number;
    const ack = await t.service.vote('vote-chat', 'u', top, 'down');
    expect(ack).toMatchObject({ kind: 'ack', text: expect.stringMatching(/^Noted — less like /) });
    const second = await t.service.handleClip(fileClip(t.voiceNoteOfCatalogueTrack, chat));
    expect(second.kind === 'results' && second.feedbackApplied).toBe(true);
    expect(ids(second)).toHaveLength(5);
    expect(ids(second)).not.toContain(top);
    expect(ids(second)).not.toEqual(first);
    await t.service.forget('vote-chat');
    expect(ids(await t.service.handleClip(fileClip(t.voiceNoteOfCatalogueTrack, chat)))).toEqual(
      first,
    );
  });

  it('answers "more like this" with neighbours of the track, and gives its audio file', async () => {
    const more = await t.service.vote('more-chat', 'u', t.catalogueTrackId, 'more');
    expect(more.kind).toBe('results');
    expect(more.kind === 'results' && more.heading).toContain(t.catalogueTrackTitle);
    expect(ids(more).length).toBeGreaterThanOrEqual(3);
    expect(ids(more)).not.toContain(t.catalogueTrackId);
    const file = await t.service.trackAudioPath(t.catalogueTrackId);
    expect(file && path.basename(file)).toBe('metal_rock__Metal_madness.ogg');
    expect(await t.service.trackAudioPath(99_999)).toBeUndefined();
  });
});
