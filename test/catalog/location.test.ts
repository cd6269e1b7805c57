import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalogLocation, redactLocation } from '../../core/catalog/location.js';
import { defaultCatalogDir, packageRoot } from '../../core/util/paths.js';

describe('paths', () => {
  it('finds the package root and the default catalogue directory', () => {
    const root = packageRoot();
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('synesthete');
    expect(defaultCatalogDir()).toBe(join(root, 'data', 'catalog'));
  });
});

describe('redactLocation', () => {
  it.each([
    ['postgres://user:secret@host/db', 'postgres://user:***@host/db'],
    [
      'postgresql://u:p%40ss@h:5432/d?sslmode=require',
      'postgresql://u:***@h:5432/d?sslmode=require',
    ],
    ['postgres://u:p@ss@h/d', 'postgres://u:***@h/d'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['postgres://host/db?user=u&password=secret', 'postgres://host/db?user=u&password=***'],
    ['/var/lib/catalog', '/var/lib/catalog'],
    ['memory://', 'memory://'],
  ])('%s → %s', (input, expected) => {
    expect(redactLocation(input)).toBe(expected);
  });
});

describe('parseCatalogLocation', () => {
  it('routes URLs, memory and directories', () => {
    expect(parseCatalogLocation('postgresql://a:b@h/d', {})).toEqual({
      kind: 'postgres',
      url: 'postgresql://a:b@h/d',
      display: 'postgresql://a:***@h/d',
    });
    expect(parseCatalogLocation('memory://', {})).toMatchObject({
      kind: 'pglite',
      dataDir: undefined,
    });
    expect(parseCatalogLocation('rel/dir', {})).toMatchObject({ dataDir: resolve('rel/dir') });
    expect(parseCatalogLocation('file:///srv/cat', {})).toMatchObject({ dataDir: '/srv/cat' });
  });

  it('falls back to DATABASE_URL, then to the default directory', () => {
    expect(parseCatalogLocation(undefined, { DATABASE_URL: 'postgres://h/d' })).toMatchObject({
      kind: 'postgres',
    });
    expect(parseCatalogLocation(undefined, {})).toMatchObject({ dataDir: defaultCatalogDir() });
    expect(parseCatalogLocation('/x', { DATABASE_URL: 'postgres://h/d' })).toMatchObject({
      dataDir: '/x',
    });
  });
});
