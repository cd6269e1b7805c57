/**
 * The catalogue bridges a lost PostgreSQL connection: queries that fail because the server
 * dropped or refused the connection are retried once it is back; other errors are not. The
 * PostgreSQL part kills this test's own server connections (pg_terminate_backend on its scratch
 * database) while upserts are in flight: safe beside the other test files, unlike a server
 * restart (which `npm run soak` does).
 */
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { isTransientDbError, withReconnect } from '../../core/catalog/transient.js';
import { createTestDatabase, newTrack } from '../catalog/fixtures.js';

const coded = (code: string) => Object.assign(new Error(`failure ${code}`), { code });

describe('withReconnect', () => {
  it('tells lost connections from query errors', () => {
    for (const code of ['CONNECTION_CLOSED', 'ECONNREFUSED', '57P01', '57P03', '08006']) {
      expect(isTransientDbError(coded(code)), code).toBe(true);
    }
    for (const code of ['23505', '42P01', 'CONNECTION_ENDED', '22P02']) {
      expect(isTransientDbError(coded(code)), code).toBe(false);
    }
    expect(isTransientDbError(new Error('no code'))).toBe(false);
  });

  it('retries a transient failure until it succeeds, and gives up on others at once', async () => {
    let calls = 0;
    const value = await withReconnect(async () => {
      calls++;
      if (calls < 3) throw coded('ECONNREFUSED');
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    let tries = 0;
    await expect(
      withReconnect(async () => {
        tries++;
        throw coded('23505');
      }),
    ).rejects.toThrow('failure 23505');
    expect(tries).toBe(1);
    let spent = 0;
    await expect(
      withReconnect(async () => {
        spent++;
        throw coded('57P03');
      }, 500),
    ).rejects.toThrow('failure 57P03');
    expect(spent).toBeGreaterThan(1);
  });
});

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the PostgreSQL part is skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;
/** Appended to the titles of the tests that need PostgreSQL, so a skipped run says why. */
const pgNote = adminUrl
  ? ''
  : ' (skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';

describe.skipIf(!adminUrl)(`catalogue on PostgreSQL whose connections are killed${pgNote}`, () => {
  it('finishes every upsert, once each, while its server connections are terminated', async () => {
    const db = await createTestDatabase(adminUrl as string);
    const catalog = await openCatalog(db.url);
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    const dbName = new URL(db.url).pathname.slice(1);
    let killed = 0;
    let stop = false;
    // Forty rounds of killing every connection of the scratch database, 30 ms apart: often enough
    // that some connections die while starting up, where postgres-js's own first query (the array
    // types it reads unless `fetch_types` is off) used to reject with nobody to catch it, which
    // vitest reports as an unhandled error.
    const killer = (async () => {
      for (let round = 0; round < 40 && !stop; round++) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        const rows = await admin`
          select count(*)::int as n from (
            select pg_terminate_backend(pid) from pg_stat_activity
            where datname = ${dbName} and pid <> pg_backend_pid()
          ) t`;
        killed += rows[0]?.n ?? 0;
      }
    })();
    try {
      const n = 60;
      const paths = Array.from({ length: n }, (_, i) => `/music/reconnect-${i}.ogg`);
      // Each path is upserted twice, the upserts spread over the killing rounds: a retried upsert
      // must neither fail nor duplicate a track.
      await Promise.all(
        [...paths, ...paths].map(
          (sourcePath, i) =>
            new Promise((resolve, reject) =>
              setTimeout(
                () => catalog.upsertTrack(newTrack({ sourcePath })).then(resolve, reject),
                i * 12,
              ),
            ),
        ),
      );
      stop = true;
      await killer;
      expect(killed).toBeGreaterThan(0);
      expect(await catalog.count()).toBe(n);
      const stored = (await catalog.listTracks()).map((t) => t.sourcePath).sort();
      expect(stored).toEqual([...paths].sort());
    } finally {
      stop = true;
      await killer.catch(() => {});
      await admin.end({ timeout: 5 });
      await catalog.close();
      await db.drop();
    }
  });
});
