/**
 * Headless Chromium for the web chat's browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core, a page that records its errors, opened on the web chat.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser is installed (the tests are skipped, with a warning, when it is not). */
export const hasChromium = existsSync(CHROMIUM);

/**
 * Starts headless Chromium and opens `url` in a new page.
 *
 * @param url - the web chat's address
 * @param options - extra command-line switches and the viewport
 * @returns the browser, the page, and the page's errors and console errors as they come
 */
export async function openChatPage(
  url: string,
  options: { readonly args?: readonly string[]; readonly width: number; readonly height: number },
): Promise<{ browser: Browser; page: Page; problems: string[] }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  });
  const page = await browser.newPage({
    viewport: { width: options.width, height: options.height },
    deviceScaleFactor: 1,
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { browser, page, problems };
}
