/**
 * Two `npm start` web chats on one PostgreSQL catalogue, with the machine's real PostgreSQL and
 * Redis, as a deployment behind a load balancer runs them: a third process ingests a new track and
 * both instances identify a clip of it within seconds, without a restart; a 👎 given on one
 * instance changes the next answer on the other; after both restart, the vote still holds.
 * Skipped without TEST_DATABASE_URL.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { createTestDatabase } from '../catalog/fixtures.js';
import { makeOpusCut } from '../helpers/audio.js';
import { runCli } from '../helpers/cli.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { freePort, type StartedServer, startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the test is skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;
/** Appended to the titles of the tests that need PostgreSQL, so a skipped run says why. */
const pgNote = adminUrl
  ? ''
  : ' (skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';
const NEW_TRACK = 'electronic__subcities.ogg';
/** One conversation, as one browser behind a load balancer sends it to either instance. */
const COOKIE = 'synesthete_session=TwoInstancesTest_0123A';

interface WebAnswer {
  kind: string;
  match?: { trackId: number };
  results?: Array<{ trackId: number }>;
  feedbackApplied?: boolean;
}

/** Posts a clip to one instance's web chat as the shared conversation. */
async function sendClip(port: number, clip: Uint8Array): Promise<WebAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/clip`, {
    method: 'POST',
    headers: { Cookie: COOKIE, 'Content-Type': 'audio/ogg', 'X-File-Name': 'clip.ogg' },
    body: clip,
  });
  return (await response.json()) as WebAnswer;
}

async function vote(port: number, trackId: number, value: 'up' | 'down'): Promise<WebAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/vote`, {
    method: 'POST',
    headers: { Cookie: COOKIE, 'Content-Type': 'application/json' },
    body: JSON.stringify({ trackId, vote: value }),
  });
  return (await response.json()) as WebAnswer;
}

describe.skipIf(!adminUrl)(`two web-chat instances on one PostgreSQL catalogue${pgNote}`, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let clip: Uint8Array;
  const ports: number[] = [];
  let servers: StartedServer[] = [];

  const start = async (): Promise<StartedServer[]> => {
    const started = ports.map((port) =>
      startServer(['--catalog', db.url], {
        WEB_PORT: String(port),
        WEB_HOST: '127.0.0.1',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        SYNESTHETE_CATALOG_POLL_MS: '500',
        BOTS_CLIPS_PER_MINUTE: '1000',
        XDG_CACHE_HOME: path.join(tmp.dir, 'cache'),
        TELEGRAM_BOT_TOKEN: undefined,
        SLACK_BOT_TOKEN: undefined,
        DISCORD_BOT_TOKEN: undefined,
        DATABASE_URL: undefined,
        BOTS_STATE: undefined,
      }),
    );
    await Promise.all(started.map((s) => s.waitFor(/running web/)));
    return started;
  };

  beforeAll(async () => {
    tmp = await tempDir('two-instances');
    db = await createTestDatabase(adminUrl as string);
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of DEMO_SUBSET) await copyFile(demoTrack(name), path.join(music, name));
    const seed = await runCli(['ingest', music, '--catalog', db.url]);
    expect(seed.code, seed.stderr).toBe(0);
    clip = await readFile(
      await makeOpusCut(demoTrack(NEW_TRACK), path.join(tmp.dir, 'clip.ogg'), {
        startS: 8,
        seconds: 12,
      }),
    );
    ports.push(await freePort(), await freePort());
    servers = await start();
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
    await tmp?.remove();
  });

  it('identifies a track another process ingests on both instances within seconds, and shares votes across them and across restarts', async () => {
    // Not in the catalogue yet: no instance names it.
    for (const port of ports) expect((await sendClip(port, clip)).kind).toBe('results');

    const incoming = path.join(tmp.dir, 'incoming');
    await mkdir(incoming);
    await copyFile(demoTrack(NEW_TRACK), path.join(incoming, NEW_TRACK));
    const ingest = await runCli(['ingest', incoming, '--catalog', db.url]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const ingested = performance.now();
    const catalog = await openCatalog(db.url);
    const newId = (await catalog.findBySourcePath(path.join(incoming, NEW_TRACK)))?.id;
    await catalog.close();
    expect(newId).toBeGreaterThan(0);

    const identifiedAfter: number[] = [];
    for (const port of ports) {
      for (;;) {
        const answer = await sendClip(port, clip);
        if (answer.match?.trackId === newId) {
          identifiedAfter.push(performance.now() - ingested);
          break;
        }
        if (performance.now() - ingested > 15_000) throw new Error(`port ${port} never named it`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    process.stderr.write(
      `[two-instances] new track identified ${identifiedAfter.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(' and ')} after its ingest ended\n`,
    );
    for (const ms of identifiedAfter) expect(ms).toBeLessThan(5000);

    // 👎 on the first instance, on the top result the second one gives.
    const [first, second] = ports as [number, number];
    const before = await sendClip(second, clip);
    const top = before.results?.[0]?.trackId;
    expect(top).toBeGreaterThan(0);
    expect((await vote(first, top as number, 'down')).kind).toBe('ack');
    const after = await sendClip(second, clip);
    expect(after.feedbackApplied).toBe(true);
    expect(after.results?.map((r) => r.trackId)).not.toContain(top);

    // Both restart: the vote is still there.
    await Promise.all(servers.map((s) => s.stop()));
    servers = await start();
    for (const port of ports) {
      const again = await sendClip(port, clip);
      expect(again.match?.trackId).toBe(newId);
      expect(again.feedbackApplied).toBe(true);
      expect(again.results?.map((r) => r.trackId)).not.toContain(top);
    }
  });
});
