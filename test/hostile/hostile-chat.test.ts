/**
 * The hostile corpus through the bots' path: the shared chat service with the real engine (as
 * every adapter calls it), and a few of the files through the real Telegram adapter against the
 * fake Bot API. Every hostile file gets the friendly answer the manifest names, the next clip is
 * answered normally, memory stays bounded, and what the user sent is written only to a private
 * (0700) temporary folder that is gone when the answer is.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../bots/shared/chat-service.js';
import { MESSAGES } from '../../bots/shared/messages.js';
import type { ChatAnswer, ChatService, ClipInput } from '../../bots/shared/types.js';
import { type Engine, openEngine } from '../../core/engine.js';
import { startTelegramDriver, type TelegramDriver } from '../bots/fakes/telegram-driver.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { hostileCases, materialiseCorpus, SOURCE_TRACK } from './corpus.js';

const TRACKS = [SOURCE_TRACK, 'ambient_electronic__Nebula.ogg', 'electronic__subcities.ogg'];
/** Growth of this process's resident memory the whole run may cause. */
const MAX_RSS_GROWTH = 1024 ** 3;
/** An uploaded file name with path separators, NUL and other control characters, 330 characters. */
const HOSTILE_UPLOAD_NAME = `${'../'.repeat(20)}etc/passwd\u0000\n\u001b[31m${'y'.repeat(300)}.ogg`;

describe('hostile inputs through the chat service and the Telegram adapter', () => {
  const cases = hostileCases();
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  let service: ChatService;
  let files: Map<string, string>;
  let goodClip: Uint8Array;
  const logged: string[] = [];
  /** TMPDIR while clips are handled: only the decoder's private folders may appear there. */
  let watched: string;
  const seen = new Map<string, number>();
  let savedTmp: string | undefined;
  let peakRss = 0;
  let baseRss = 0;
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    tmp = await tempDir('hostile-chat');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    files = await materialiseCorpus(path.join(tmp.dir, 'corpus'), path.join(tmp.dir, 'work'));
    goodClip = new Uint8Array(await readFile(path.join(tmp.dir, 'work', 'source.opus')));
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
    await engine.ingest([music], { concurrency: 2 });
    service = createChatService(engine, {
      rateLimit: { clips: 10_000, perS: 1 },
      log: (line) => logged.push(line),
    });
    watched = await mkdtemp(path.join(tmp.dir, 'tmpdir-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    baseRss = process.memoryUsage().rss;
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
  });
  afterAll(async () => {
    clearInterval(sampler);
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await service?.drain();
    await engine?.close();
    await tmp?.remove();
  });

  /** Handles a clip while watching TMPDIR; checks it is empty again afterwards. */
  const handle = async (bytes: Uint8Array, fileName: string): Promise<ChatAnswer> => {
    const input: ClipInput = {
      platform: 'slack',
      kind: 'document',
      conversation: 'C0HOSTILE',
      user: 'U0HOSTILE',
      fileName,
      mimeType: 'application/octet-stream',
      byteLength: bytes.byteLength,
      read: async () => bytes,
    };
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const name of await readdir(watched)) {
          const info = await stat(path.join(watched, name)).catch(() => undefined);
          if (info) seen.set(name, info.mode & 0o777);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    try {
      return await service.handleClip(input);
    } finally {
      watching = false;
      await watch;
      expect(await readdir(watched)).toEqual([]);
    }
  };

  const expectGoodAnswer = (answer: ChatAnswer, what: string) => {
    expect(answer.kind, what).toBe('results');
    if (answer.kind !== 'results') return;
    expect(answer.match?.label, what).toMatch(/^Metal madness/);
    expect(answer.results.length, what).toBeGreaterThan(0);
  };

  it('answers every hostile file as the manifest says, and the next clip normally', async () => {
    for (const c of cases) {
      const bytes = new Uint8Array(await readFile(files.get(c.id) as string));
      const name = c.id === 'hostile-name' ? HOSTILE_UPLOAD_NAME : c.file;
      const answer = await handle(bytes, name);
      if (c.chat === 'results') {
        expectGoodAnswer(answer, c.id);
      } else {
        expect(answer.kind, c.id).toBe('rejected');
        if (answer.kind === 'rejected') {
          expect(answer.reason, `${c.id} (${c.what})`).toBe(c.chat);
          expect(answer.text.length, c.id).toBeGreaterThan(20);
        }
      }
      expectGoodAnswer(await handle(goodClip, 'voice.opus'), `the clip after ${c.id}`);
    }
    // Nothing was the service's fault: no "unexpected failure" was logged.
    expect(logged).toEqual([]);
  });

  it('wrote user bytes only into private 0700 folders, all removed', () => {
    expect(seen.size).toBeGreaterThan(0);
    for (const [name, mode] of seen) {
      expect(name).toMatch(/^synesthete-decode-/);
      expect(mode.toString(8)).toBe('700');
    }
  });

  it('kept memory bounded', () => {
    process.stderr.write(
      `[hostile-chat] ${cases.length * 2} clips: peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (${((peakRss - baseRss) / 2 ** 20).toFixed(0)} MiB over the start)\n`,
    );
    expect(peakRss - baseRss).toBeLessThan(MAX_RSS_GROWTH);
  });

  describe('through the Telegram adapter (fake Bot API)', () => {
    let driver: TelegramDriver;
    beforeAll(async () => {
      driver = await startTelegramDriver(service);
    });
    afterAll(() => driver?.close());

    it('replies politely to hostile files and then answers a voice note', async () => {
      const expected: Record<string, string> = {
        'random-ogg': MESSAGES.unreadable,
        'truncated-opus': MESSAGES.unreadable,
        'oversized-ogg-page': MESSAGES.unreadable,
        'tenth-second': MESSAGES.tooShort(),
      };
      for (const [id, text] of Object.entries(expected)) {
        const sent = await driver.sendClip(files.get(id) as string, { as: 'document' });
        expect(sent.handled.kind, id).toBe('clip');
        expect(sent.reply.text, id).toContain(text);
        expect(sent.reply.resultTrackIds, id).toEqual([]);
      }
      const voice = path.join(tmp.dir, 'voice.ogg');
      await writeFile(voice, goodClip);
      const answer = await driver.sendClip(voice);
      expect(answer.reply.text).toContain('Metal madness');
      expect(answer.reply.resultTrackIds.length).toBeGreaterThan(0);
      expect(await readdir(watched)).toEqual([]);
    });
  });
});
