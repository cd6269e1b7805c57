/**
 * The web chat end to end in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): a file dropped through the picker and a clip recorded by holding the button
 * (Chromium's fake microphone plays a WAV of a catalogue track) both come back as five result
 * cards. Saves the screenshot the README shows, docs/web-chat.png, when it is missing or
 * `SYNESTHETE_UPDATE_SCREENSHOT=1` (so an ordinary run leaves the committed picture alone);
 * otherwise to the test's temporary folder.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebChat, startWebChat } from '../../bots/web/index.js';
import { ffmpeg } from '../helpers/audio.js';
import { CHROMIUM, hasChromium, openChatPage } from '../helpers/browser.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { BOT_TEST_TRACKS, type BotTestEngine, openBotTestEngine } from './engine.js';

const DOCS_SCREENSHOT = path.join(REPO_ROOT, 'docs', 'web-chat.png');

if (!hasChromium) {
  console.warn(`web chat browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)('web chat in headless Chromium', () => {
  let engine: BotTestEngine;
  let web: RunningWebChat;
  let browser: Browser;
  let page: Page;
  let clip: string;
  let problems: string[] = [];

  beforeAll(async () => {
    // The browser test sends only a few clips, but from one session: lift the per-user limit.
    engine = await openBotTestEngine({ rateLimit: { clips: 100, perS: 60 } });
    web = await startWebChat(engine.service, { port: 0, log: () => undefined });
    // A 15 s cut of a catalogue track, named as a person's file would be.
    clip = path.join(engine.dir, 'metal-madness-15s.ogg');
    await copyFile(engine.voiceNoteOfCatalogueTrack, clip);
    // What the fake microphone hears: another catalogue track, as 48 kHz s16 WAV (looped).
    const microphone = path.join(engine.dir, 'microphone.wav');
    await ffmpeg([
      ...['-i', demoTrack(BOT_TEST_TRACKS[2])],
      ...['-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', microphone],
    ]);
    ({ browser, page, problems } = await openChatPage(web.url, {
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${microphone}`,
      ],
      width: 960,
      height: 1400,
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await engine?.close();
  });

  it('answers a file chosen with the picker: the match named, five cards, the spectrogram', async () => {
    await page.setInputFiles('#file-input', clip);
    const answer = page.locator('.bubble.answer').first();
    await answer.waitFor({ timeout: 90_000 });
    await expect.poll(() => answer.locator('.result-card').count()).toBe(5);
    expect(await answer.locator('.match-line').textContent()).toContain(engine.catalogueTrackTitle);
    const ids = await answer
      .locator('.result-card')
      .evaluateAll((cards) => cards.map((c) => Number(c.getAttribute('data-track-id'))));
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain(engine.catalogueTrackId);
    // Every card has a playable preview, the three vote buttons and "+ Mix".
    expect(await answer.locator('.result-card audio').count()).toBe(5);
    expect(await answer.locator('.result-card button.vote[data-vote]').count()).toBe(15);
    expect(await answer.locator('.result-card button.vote', { hasText: '+ Mix' }).count()).toBe(5);
    // The spectrogram picture loaded (CSP lets it through).
    const spectrogram = answer.locator('.spectrogram img');
    await expect
      .poll(() =>
        spectrogram.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);
    // A preview's first bytes arrive (Range request from the media element).
    const preview = await page.evaluate(
      async (url) => {
        const res = await fetch(url, { headers: { Range: 'bytes=0-3' } });
        return { status: res.status, type: res.headers.get('content-type') };
      },
      (await answer.locator('.result-card audio').first().getAttribute('src')) ?? '',
    );
    expect(preview).toEqual({ status: 206, type: 'audio/ogg' });

    const screenshot =
      process.env.SYNESTHETE_UPDATE_SCREENSHOT === '1' || !existsSync(DOCS_SCREENSHOT)
        ? DOCS_SCREENSHOT
        : path.join(engine.dir, 'web-chat.png');
    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.locator('#chat').evaluate((chat) => chat.scrollTo({ top: 0 }));
    await page.screenshot({ path: screenshot });
    expect(problems).toEqual([]);
  });

  it('answers a clip recorded by holding the button for ~8 s', async () => {
    const button = page.locator('#record-button');
    const box = await button.boundingBox();
    if (!box) throw new Error('record button not visible');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await expect
      .poll(() => button.getAttribute('class'), { timeout: 10_000 })
      .toContain('recording');
    await page.waitForTimeout(8_000);
    expect(await page.locator('#record-time').textContent()).toMatch(/^0:0[78]$/);
    await page.mouse.up();

    const userClip = page.locator('.row.user .bubble.clip').last();
    await expect.poll(() => userClip.textContent()).toMatch(/Recording · [78] s/);
    const answer = page.locator('.bubble.answer').nth(1);
    await answer.waitFor({ timeout: 90_000 });
    await expect.poll(() => answer.locator('.result-card').count()).toBe(5);
    expect(problems).toEqual([]);
  });

  it('votes, asks for more like a result, refuses a non-audio file politely, helps and forgets', async () => {
    const first = page.locator('.bubble.answer').first();
    const down = first.locator('.result-card').first().locator('button.vote[data-vote="down"]');
    await down.click();
    await expect.poll(() => down.getAttribute('aria-pressed')).toBe('true');
    await first.locator('.result-card').nth(1).locator('button.vote.more').click();
    const more = page.locator('.bubble.answer').nth(2);
    await more.waitFor({ timeout: 30_000 });
    expect(await more.locator('.result-card').count()).toBeGreaterThanOrEqual(3);
    // A file that is not audio gets a friendly notice, not a stack trace.
    await page.setInputFiles('#file-input', engine.notAudioFile);
    const notice = page.locator('.bubble.notice').last();
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toMatch(/couldn.t read|not .*audio|send/i);
    await page.click('#help-link');
    await expect.poll(() => page.locator('.bubble.help').last().textContent()).toMatch(/forget/i);
    await page.click('#forget-button');
    await expect
      .poll(() => page.locator('.bubble.ack').last().textContent())
      .toMatch(/forg|clear/i);
    expect(problems).toEqual([]);
  });
});
