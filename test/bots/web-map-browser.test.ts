/**
 * The web chat's catalogue map in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): an answer's "🗺 Show on the map" opens the map with every catalogue track as
 * a dot, the clip as a star and its five ringed; hovering a dot names it, clicking it plays its
 * preview, and "More like this" from there answers in the chat. Saves docs/web-chat-map.png when
 * it is missing or `SYNESTHETE_UPDATE_SCREENSHOT=1`; otherwise to the test's temporary folder.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebChat, startWebChat } from '../../bots/web/index.js';
import { CHROMIUM, hasChromium, openChatPage } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { BOT_TEST_TRACKS, type BotTestEngine, openBotTestEngine } from './engine.js';

const DOCS_SCREENSHOT = path.join(REPO_ROOT, 'docs', 'web-chat-map.png');

if (!hasChromium) {
  console.warn(`web map browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)('web chat map in headless Chromium', () => {
  let engine: BotTestEngine;
  let web: RunningWebChat;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    engine = await openBotTestEngine({ rateLimit: { clips: 100, perS: 60 } });
    web = await startWebChat(engine.service, { port: 0, log: () => undefined });
    ({ browser, page, problems } = await openChatPage(web.url, {
      args: ['--autoplay-policy=no-user-gesture-required'],
      width: 1280,
      height: 860,
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await engine?.close();
  });

  it('says so when there is no answer yet: the bare catalogue, no star', async () => {
    await page.click('#map-button');
    const panel = page.locator('#map-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    await expect
      .poll(() => page.locator('#map-svg .map-dots circle').count(), { timeout: 120_000 })
      .toBe(BOT_TEST_TRACKS.length);
    expect(await page.locator('#map-svg .map-star').count()).toBe(0);
    expect(await page.locator('#map-query').isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.isVisible()).toBe(false);
  });

  it('shows an answer on the map, names a hovered dot, plays a clicked one, asks for more like it', async () => {
    const clip = path.join(engine.dir, 'metal-madness-15s.ogg');
    await copyFile(engine.voiceNoteOfCatalogueTrack, clip);
    await page.setInputFiles('#file-input', clip);
    const answer = page.locator('.bubble.answer').first();
    await answer.waitFor({ timeout: 90_000 });
    await expect.poll(() => answer.locator('.result-card').count()).toBe(5);
    const resultIds = await answer
      .locator('.result-card')
      .evaluateAll((cards) => cards.map((c) => Number(c.getAttribute('data-track-id'))));

    await answer.locator('button.map-show').click();
    await expect.poll(() => page.locator('#map-svg .map-dots circle').count()).toBe(10);
    // The clip is the catalogue track: a star where that track sits, its five ringed and listed.
    expect(await page.locator('#map-svg .map-star').count()).toBe(1);
    expect(await page.locator('#map-svg .map-ring').count()).toBe(5);
    const ringed = await page
      .locator('#map-svg .map-result-dot')
      .evaluateAll((dots) => dots.map((d) => Number(d.getAttribute('data-id'))));
    expect(ringed).toEqual(resultIds);
    expect(await page.locator('#map-query').textContent()).toContain(engine.catalogueTrackTitle);
    expect(await page.locator('#map-query li').count()).toBe(5);
    expect(await page.locator('#map-legend li').count()).toBeGreaterThanOrEqual(1);

    // Hover: the dot's name.
    const second = page.locator(`#map-svg .map-result-dot[data-id="${resultIds[1]}"]`);
    await second.hover();
    const tooltip = page.locator('#map-tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const hoveredName = (await tooltip.textContent()) ?? '';
    const secondCard = answer.locator('.result-card').nth(1);
    expect(hoveredName).toContain((await secondCard.locator('.title strong').textContent()) ?? '?');

    // Click: the track's card beside the map, its preview loading.
    const first = page.locator(`#map-svg .map-result-dot[data-id="${resultIds[0]}"]`);
    await first.click();
    const pick = page.locator('#map-pick');
    await expect.poll(() => pick.isVisible()).toBe(true);
    expect(await pick.locator('audio').getAttribute('src')).toBe(
      `/api/tracks/${resultIds[0]}/audio`,
    );
    await expect
      .poll(() =>
        pick.locator('audio').evaluate((a) => (a as unknown as { readyState: number }).readyState),
      )
      .toBeGreaterThanOrEqual(1);
    expect(await pick.locator('.map-pick-note').textContent()).toBe('');

    // Hover another dot for the picture: the tooltip beside the picked track.
    await second.hover();
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const screenshot =
      process.env.SYNESTHETE_UPDATE_SCREENSHOT === '1' || !existsSync(DOCS_SCREENSHOT)
        ? DOCS_SCREENSHOT
        : path.join(engine.dir, 'web-chat-map.png');
    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });

    // "More like this" from the map: the panel closes and the chat answers.
    await pick.locator('button.more').click();
    await expect.poll(() => page.locator('#map-panel').isVisible()).toBe(false);
    const more = page.locator('.bubble.answer').nth(1);
    await more.waitFor({ timeout: 60_000 });
    expect(await more.locator('.heading').textContent()).toMatch(/^More like /);
    expect(await more.locator('.result-card').count()).toBeGreaterThanOrEqual(3);

    // The top bar's map marks the conversation's last answer: that track and its neighbours.
    await page.click('#map-button');
    await expect.poll(() => page.locator('#map-svg .map-star').count()).toBe(1);
    expect(await page.locator('#map-query').textContent()).toContain(
      (await more.locator('.heading').textContent())?.replace(/^More like /, '') ?? '?',
    );
    await page.click('#map-close');
    expect(problems).toEqual([]);
  });
});
