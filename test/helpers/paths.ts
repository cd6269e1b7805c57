/**
 * Locations the tests share: the repository root, the built CLI, the demo catalogue and the
 * model directory the engine loads by default.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the folder holding package.json). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The compiled CLI entry point that `npm run build` (and test/global-setup.ts) produces. */
export const CLI_MAIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Written by test/global-setup.ts after a successful build. */
export const BUILD_STAMP = path.join(REPO_ROOT, 'dist', '.build-stamp');

/** The 36 demo tracks (30 s Ogg Vorbis each) and their labels. */
export const DEMO_TRACKS_DIR = path.join(REPO_ROOT, 'data', 'demo', 'tracks');
export const DEMO_LABELS_CSV = path.join(REPO_ROOT, 'data', 'demo', 'labels.csv');

/** Small committed broken inputs (see test/fixtures/bad/README.md). */
export const BAD_FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'bad');

/**
 * The model directory the engine loads when none is given: `SYNESTHETE_MODEL_DIR`, else the
 * shipped `models/synesthete-cnn`.
 */
export function modelDir(): string {
  return process.env.SYNESTHETE_MODEL_DIR ?? path.join(REPO_ROOT, 'models', 'synesthete-cnn');
}

/** True when {@link modelDir} holds a model.json. */
export function modelPresent(): boolean {
  return existsSync(path.join(modelDir(), 'model.json'));
}

/**
 * Six demo tracks, two of each of three labels, so that leave-one-out evaluation has a same-label
 * neighbour for every query. File names inside {@link DEMO_TRACKS_DIR}.
 */
export const DEMO_SUBSET = [
  'metal_rock__Metal_madness.ogg',
  'metal_rock__chaos_god.ogg',
  'ambient_electronic__Nebula.ogg',
  'ambient_electronic__Awakening.ogg',
  'fantasy_rpg__town_theme.ogg',
  'fantasy_rpg__battle_theme.ogg',
] as const;

/** Absolute path of a demo track. */
export function demoTrack(name: string): string {
  return path.join(DEMO_TRACKS_DIR, name);
}
