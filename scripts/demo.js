#!/usr/bin/env node
// `npm run demo`: ingest the bundled demo catalogue into the embedded catalogue (PGlite, no server,
// no tokens), then recommend for a bundled voice note that is a degraded phone-style recording of
// one of its tracks. Runs the real CLI, so what it prints is what `synesthete` prints.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const run = (args) => {
  process.stdout.write(`\n$ synesthete ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run(['ingest', 'data/demo/tracks']);
run(['recommend', 'data/demo/queries/voice-note.ogg']);
