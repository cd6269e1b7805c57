/**
 * Which way imports run between the parts of the code base, read from the sources (no build, no
 * module loading): the engine (core/) knows nothing of its front ends (bots/, cli/) nor of any chat
 * SDK, the two front ends do not import each other, core/ holds no loose file but its entry
 * (core/engine.ts), and core's stage folders import only stages below them (the order core/engine.ts
 * lists).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/** core/'s folders, lowest first: a folder may import from the folders before it, not after. */
const CORE_LAYERS = [
  'util',
  'dsp',
  'audio',
  'features',
  'model',
  'fingerprint',
  'analysis',
  'catalog',
  'library',
  'index',
  'ingest',
  'queue',
  'recommend',
  'evaluation',
];

/** Upward imports that are allowed because they are type-only (`import type`); none today. */
const TYPE_ONLY_UPWARD = new Set<string>([]);

/** The one file core/ may hold outside a stage folder. */
const CORE_ENTRY = 'engine.ts';

/** Chat SDKs: only bots/ may import them. */
const BOT_SDKS = ['grammy', '@grammyjs/', '@slack/', 'discord.js', '@discordjs/'];

interface ImportRef {
  /** Repository-relative path of the importing file, with forward slashes. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** Repository-relative path the specifier points at (relative specifiers only). */
  readonly target: string | null;
  /** `import type` / `export type`: erased from the emitted JavaScript. */
  readonly typeOnly: boolean;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Static imports and re-exports (several lines allowed), side-effect imports. */
const STATIC = /^\s*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
/** Dynamic imports, `require`, and worker files resolved from `import.meta.url`. */
const DYNAMIC =
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]|new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g;

function importsOf(file: string): ImportRef[] {
  const source = readFileSync(file, 'utf8');
  const from = path.relative(REPO_ROOT, file).split(path.sep).join('/');
  const refs: ImportRef[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const target = specifier.startsWith('.')
      ? path
          .relative(REPO_ROOT, path.resolve(path.dirname(file), specifier))
          .split(path.sep)
          .join('/')
      : null;
    refs.push({ from, specifier, target, typeOnly });
  };
  for (const m of source.matchAll(STATIC)) add(m[2]!, m[1] !== undefined);
  for (const m of source.matchAll(BARE)) add(m[1]!, false);
  for (const m of source.matchAll(DYNAMIC)) add((m[1] ?? m[2] ?? m[3])!, false);
  return refs;
}

const imports = ['core', 'bots', 'cli'].flatMap((dir) =>
  tsFiles(path.join(REPO_ROOT, dir)).flatMap(importsOf),
);
const inside = (dir: string) => (p: string | null) => p?.startsWith(`${dir}/`) === true;
const show = (refs: readonly ImportRef[]) => refs.map((r) => `${r.from}: '${r.specifier}'`);

describe('import direction', () => {
  it('reads the imports of every source file', () => {
    // A parser that found nothing would pass every check below.
    expect(imports.filter((r) => r.from.startsWith('core/')).length).toBeGreaterThan(300);
    expect(imports.filter((r) => r.from.startsWith('bots/')).length).toBeGreaterThan(100);
    expect(imports.filter((r) => r.from.startsWith('cli/')).length).toBeGreaterThan(30);
    expect(imports.some((r) => r.specifier === './thread-entry.js')).toBe(true);
  });

  it('core/ imports neither bots/ nor cli/ nor a chat SDK', () => {
    const bad = imports.filter(
      (r) =>
        r.from.startsWith('core/') &&
        (inside('bots')(r.target) ||
          inside('cli')(r.target) ||
          BOT_SDKS.some((sdk) => r.specifier === sdk || r.specifier.startsWith(sdk))),
    );
    expect(show(bad)).toEqual([]);
  });

  it('cli/ does not import bots/, and bots/ does not import cli/', () => {
    const bad = imports.filter(
      (r) =>
        (r.from.startsWith('cli/') && inside('bots')(r.target)) ||
        (r.from.startsWith('bots/') && inside('cli')(r.target)),
    );
    expect(show(bad)).toEqual([]);
  });

  it('core/ holds no TypeScript file outside its stage folders but its entry', () => {
    const entries = readdirSync(path.join(REPO_ROOT, 'core'), { withFileTypes: true });
    const loose = entries
      .filter((e) => !e.isDirectory() && e.name.endsWith('.ts') && e.name !== CORE_ENTRY)
      .map((e) => e.name);
    expect(loose).toEqual([]);
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    // A new folder must be given its place among the layers.
    expect(folders.filter((f) => !CORE_LAYERS.includes(f))).toEqual([]);
  });

  it("core's folders import only the folders below them", () => {
    const layerOf = (p: string | null) => {
      if (p === null || !p.startsWith('core/')) return null;
      const parts = p.split('/');
      return parts.length > 2 ? parts[1]! : null;
    };
    const bad = imports.filter((r) => {
      const a = layerOf(r.from);
      const b = layerOf(r.target);
      if (a === null || b === null || a === b) return false;
      if (CORE_LAYERS.indexOf(b) < CORE_LAYERS.indexOf(a)) return false;
      return !(r.typeOnly && TYPE_ONLY_UPWARD.has(`${a} -> ${b}`));
    });
    expect(show(bad)).toEqual([]);
  });
});
