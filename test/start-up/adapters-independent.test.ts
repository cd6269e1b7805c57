/**
 * `npm start` (the built start.js, as a user runs it) with a Telegram token whose API cannot be
 * reached: the web chat still serves, within 5 s of the engine being ready, and the log names
 * Telegram's failure and the retry.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeTelegramToken } from '../bots/fakes/fake-tokens.js';
import { runCli } from '../helpers/cli.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { freePort, startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

describe('npm start with an unreachable Telegram API', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let catalog: string;

  beforeAll(async () => {
    tmp = await tempDir('start-adapters');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of DEMO_SUBSET.slice(0, 2)) {
      await copyFile(demoTrack(name), path.join(music, name));
    }
    catalog = path.join(tmp.dir, 'catalog');
    const seed = await runCli(['ingest', music, '--catalog', catalog]);
    expect(seed.code, seed.stderr).toBe(0);
  });
  afterAll(() => tmp.remove());

  it('serves the web chat within 5 s of the engine being ready and logs why Telegram is down', async () => {
    const port = await freePort();
    const spawned = performance.now();
    const server = startServer(['--catalog', catalog], {
      TELEGRAM_BOT_TOKEN: fakeTelegramToken(),
      TELEGRAM_API_ROOT: 'http://127.0.0.1:1',
      WEB_PORT: String(port),
      WEB_HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: undefined,
      DISCORD_BOT_TOKEN: undefined,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
    });
    try {
      await server.waitFor(/tracks searchable/);
      const ready = performance.now();
      let served = Number.NaN;
      while (performance.now() - ready < 10_000) {
        const ok = await fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          served = performance.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const log = await server.waitFor(/telegram: not started/);
      process.stderr.write(
        `[adapters] web chat served ${((served - ready) / 1000).toFixed(2)} s after the engine was ready, ${((served - spawned) / 1000).toFixed(2)} s after spawn\n`,
      );
      expect(served - ready).toBeLessThan(5000);
      expect(log).toMatch(
        /telegram: not started: cannot reach the Telegram Bot API at http:\/\/127\.0\.0\.1:1 .*; trying again in 5 s/,
      );
      expect(log).toMatch(/running web/);
      expect(server.child.exitCode).toBeNull();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
