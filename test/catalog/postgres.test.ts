import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { catalogContract, openFailure } from './contract.js';
import { createTestDatabase } from './fixtures.js';

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the suite is skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;

if (adminUrl) {
  catalogContract('PostgreSQL', async () => {
    const db = await createTestDatabase(adminUrl);
    return {
      open: async () => {
        const catalog = await openCatalog(db.url);
        expect(catalog.kind).toBe('postgres');
        return catalog;
      },
      dispose: db.drop,
    };
  });
} else {
  describe.skip('catalog contract: PostgreSQL (set TEST_DATABASE_URL to run)', () => {
    it('needs TEST_DATABASE_URL', () => {});
  });
}

it('fails with E_CATALOG and a redacted URL when PostgreSQL cannot be reached', async () => {
  const message = await openFailure('postgres://synuser:hunter2@127.0.0.1:1/nowhere');
  expect(message).toContain('postgres://synuser:***@127.0.0.1:1/nowhere');
  expect(message).not.toContain('hunter2');
  expect(message).toMatch(/ECONNREFUSED/);
  expect(message).not.toContain('\n');
});

it('redacts the password from the location of an open catalogue', async () => {
  if (!adminUrl) return;
  const url = new URL(adminUrl);
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
});
