import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { catalogContract, openFailure } from './contract.js';
import { createTestDatabase } from './fixtures.js';

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the PostgreSQL tests are skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;
/** Appended to the title of each test that needs PostgreSQL, so a skipped run says why. */
const pgNote = adminUrl
  ? ''
  : ' (skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';

describe.skipIf(!adminUrl)(`on a PostgreSQL server${pgNote}`, () => {
  catalogContract('PostgreSQL', async () => {
    const db = await createTestDatabase(adminUrl as string);
    return {
      open: async () => {
        const catalog = await openCatalog(db.url);
        expect(catalog.kind).toBe('postgres');
        return catalog;
      },
      dispose: db.drop,
    };
  });
});

it('fails with E_CATALOG and a redacted URL when PostgreSQL cannot be reached', async () => {
  const message = await openFailure('postgres://synuser:hunter2@127.0.0.1:1/nowhere');
  expect(message).toContain('postgres://synuser:***@127.0.0.1:1/nowhere');
  expect(message).not.toContain('hunter2');
  expect(message).toMatch(/ECONNREFUSED/);
  expect(message).not.toContain('\n');
});

it.skipIf(!adminUrl)(
  `redacts the password from the location of an open catalogue${pgNote}`,
  async () => {
    const url = new URL(adminUrl as string);
    url.password = 'not-needed-with-trust-auth';
    let catalog: Awaited<ReturnType<typeof openCatalog>> | undefined;
    try {
      catalog = await openCatalog(url.toString());
    } catch (error) {
      // A server that checks passwords refuses this one; the message must not show it either.
      expect((error as Error).message).not.toContain('not-needed-with-trust-auth');
      return;
    }
    try {
      expect(catalog.location).toContain(':***@');
      expect(catalog.location).not.toContain('not-needed-with-trust-auth');
    } finally {
      await catalog.close();
    }
  },
);

it.skipIf(!adminUrl)(
  `lets processes started together migrate one fresh database (advisory lock)${pgNote}`,
  async () => {
    const db = await createTestDatabase(adminUrl as string);
    try {
      // Separate processes, as queue workers are: each opens (and so migrates) the catalogue.
      const open = pathToFileURL(path.join(REPO_ROOT, 'dist', 'core', 'catalog', 'open.js')).href;
      const script = `const { openCatalog } = await import(${JSON.stringify(open)}); const c = await openCatalog(process.argv[1]); await c.close();`;
      const runs = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script, db.url], {
                stdio: ['ignore', 'ignore', 'pipe'],
              });
              let stderr = '';
              child.stderr.on('data', (c: Buffer) => {
                stderr += c.toString();
              });
              child.on('close', (code) => resolve({ code, stderr }));
            }),
        ),
      );
      for (const run of runs)
        expect(run.stderr.split('\n').filter((l) => /rror/.test(l))).toEqual([]);
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await db.drop();
    }
  },
);
