/**
 * The drizzle-orm resolution shortcut (core/util/resolve-hook.ts): it must resolve every relative
 * import of the installed drizzle-orm exactly as Node does, answer nothing else, and a process
 * with it installed must load the drizzle modules the catalogue uses — with far fewer
 * resolutions left to Node's own resolver.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installResolveShortcut, shortcutResolution } from '../../core/util/resolve-hook.js';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const drizzleDir = path.join(root, 'node_modules', 'drizzle-orm');

/** Relative `.js` specifiers of one ES module file (its static imports and re-exports). */
function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
}

describe('shortcutResolution', () => {
  it('resolves the relative imports of real drizzle-orm modules to the files Node would load', () => {
    const files = ['index.js', 'pglite/driver.js', 'pg-core/index.js', 'sql/sql.js']
      .map((f) => path.join(drizzleDir, f))
      .filter(existsSync);
    expect(files.length).toBeGreaterThanOrEqual(3);
    let checked = 0;
    for (const file of files) {
      const parent = pathToFileURL(file).href;
      for (const specifier of relativeImports(file)) {
        const hit = shortcutResolution(specifier, parent);
        const expected = pathToFileURL(path.resolve(path.dirname(file), specifier)).href;
        expect(hit).toEqual({ url: expected, format: 'module' });
        expect(existsSync(new URL(expected))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('leaves every other specifier to Node', () => {
    const parent = pathToFileURL(path.join(drizzleDir, 'index.js')).href;
    expect(shortcutResolution('drizzle-orm/pg-core', parent)).toBeNull(); // bare
    expect(shortcutResolution('./entity.cjs', parent)).toBeNull(); // CommonJS build
    expect(shortcutResolution('node:fs', parent)).toBeNull();
    // Leaving the package through ../ is not the package's own file.
    expect(shortcutResolution('../../postgres/index.js', parent)).toBeNull();
    // Our own modules and other packages.
    const ours = pathToFileURL(path.join(root, 'core', 'recommend.ts')).href;
    expect(shortcutResolution('./catalog/index.js', ours)).toBeNull();
    const other = pathToFileURL(path.join(root, 'node_modules', 'postgres', 'src', 'index.js'));
    expect(shortcutResolution('./types.js', other.href)).toBeNull();
    expect(shortcutResolution('./x.js', undefined)).toBeNull();
  });
});

describe('installResolveShortcut', () => {
  it('reports whether this Node can install it', () => {
    const canHook = typeof (require('node:module') as { registerHooks?: unknown }).registerHooks;
    // Installing in the test process is harmless: it only answers drizzle-orm's own imports.
    expect(installResolveShortcut()).toBe(canHook === 'function');
  });

  it('loads the drizzle-orm entry points the catalogue uses, leaving few resolutions to Node', () => {
    const hook = pathToFileURL(path.join(root, 'dist', 'core', 'util', 'resolve-hook.js')).href;
    if (!existsSync(new URL(hook))) throw new Error('run `npm run build` first (dist/ is missing)');
    // A counting hook registered first runs last: it sees only what the shortcut passed on.
    const script = `
      import { registerHooks } from 'node:module';
      let toNode = 0;
      registerHooks({ resolve(s, c, next) { const r = next(s, c); if (r.url.includes('/drizzle-orm/')) toNode++; return r; } });
      const { installResolveShortcut } = await import(${JSON.stringify(hook)});
      installResolveShortcut();
      const pglite = await import('drizzle-orm/pglite');
      const pg = await import('drizzle-orm/postgres-js');
      const core = await import('drizzle-orm/pg-core');
      const orm = await import('drizzle-orm');
      console.log(JSON.stringify({ toNode, ok: [typeof pglite.drizzle, typeof pg.drizzle, typeof core.pgTable, typeof orm.sql] }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      toNode: number;
      ok: string[];
    };
    expect(out.ok).toEqual(['function', 'function', 'function', 'function']);
    // Without the shortcut Node resolves ~450 drizzle-orm modules; with it, the entry points.
    const modules = readdirSync(drizzleDir, { recursive: true }).filter((f) =>
      String(f).endsWith('.js'),
    ).length;
    expect(modules).toBeGreaterThan(100);
    expect(out.toNode).toBeLessThan(20);
  });
});
