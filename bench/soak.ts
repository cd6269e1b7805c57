/**
 * `npm run soak`: load and faults, loopback only, bounded in time (the run stops itself after
 * 5 minutes). Needs the local PostgreSQL 15 cluster (127.0.0.1:5432, trust auth) and the right to
 * restart it (`pg_ctlcluster`); it works in its own database `synesthete_soak`, dropped and created
 * afresh. Other users of that server see their connections cut twice: do not run it beside the
 * test suite.
 *
 * 1. Ingest 12 demo tracks into PostgreSQL, restarting the server after the third track: the
 *    ingest must finish with every track stored once (count, duplicates, checksum of path and
 *    content hash against the files' own).
 * 2. Serve: 50 voice notes at once through the real Telegram adapter (fake Bot API) and 50 through
 *    the real Slack adapter (signed POSTs to /slack/events), both on one chat service and engine,
 *    restarting PostgreSQL while they are answered. Every clip must be answered or told "busy";
 *    none lost. Prints p50/p95 latency and the peak resident memory; the catalogue checksum must
 *    be the same before and after.
 *
 * Exit status 0 when all of that holds, 1 when something was lost or changed (or when there is no
 * PostgreSQL to restart: one line says what to start first), 2 on a time-out.
 * `SOAK_ADMIN_URL` overrides the server (default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createChatService } from '../bots/shared/chat-service.js';
import { openEngine } from '../core/engine.js';
import { hashFile } from '../core/ingest/ingest.js';
import { packageRoot } from '../core/util/paths.js';
import { makeOpusCut } from '../test/helpers/audio.js';
import { exitMissingData } from './bench-catalog.js';
import {
  type CatalogueChecksum,
  catalogueChecksum,
  expectedChecksum,
  recreateDatabase,
  restartPostgres,
} from './soak-db.js';
import { type LoadOutcome, percentile, slackLoad, telegramLoad } from './soak-load.js';

const ADMIN_URL = process.env.SOAK_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'synesthete_soak';
const TRACKS = 12;
const CLIPS_PER_PLATFORM = 50;
/** The whole run's bound. */
const TIME_LIMIT_MS = 5 * 60_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<number> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-soak-'));
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    const url = await recreateDatabase(ADMIN_URL, DATABASE);
    const demo = path.join(packageRoot(), 'data', 'demo', 'tracks');
    const music = path.join(tmp, 'music');
    await mkdir(music);
    const names = (await readdir(demo)).filter((n) => n.endsWith('.ogg')).slice(0, TRACKS);
    for (const name of names) await copyFile(path.join(demo, name), path.join(music, name));
    const files = await Promise.all(
      names.map(async (name) => ({ name, sha256: await hashFile(path.join(music, name)) })),
    );
    const expected = expectedChecksum(files);
    let ok = true;

    // 1. Ingest through a restart.
    say(`soak: catalogue ${url.replace(/\/\/[^@/]*@/, '//')} (fresh), ${names.length} tracks`);
    const engine = await openEngine({ catalog: url });
    try {
      let restart: Promise<number> | undefined;
      const summary = await engine.ingest([music], {
        concurrency: 2,
        onProgress: ({ done }) => {
          if (done === 3 && !restart) restart = restartPostgres();
        },
      });
      const restartMs = restart ? await restart : undefined;
      const after = await catalogueChecksum(url);
      const good = checkCatalogue(after, names.length, expected);
      ok &&= good && restartMs !== undefined;
      say(
        `ingest: ${summary.added} added, ${summary.failed.length} failed in ${summary.seconds.toFixed(1)} s; ` +
          `PostgreSQL restarted after 3 tracks (${restartMs === undefined ? 'did not happen' : `${(restartMs / 1000).toFixed(1)} s`})`,
      );
      say(
        `  catalogue: ${after.rows} rows, ${after.duplicates} duplicates, ${names.length - (after.rows - after.duplicates)} missing, ` +
          `${after.unanalysed} unanalysed; checksum ${after.checksum} (files: ${expected}) ${good ? 'OK' : 'MISMATCH'}`,
      );

      // 2. Serve through a restart.
      const voice = await makeOpusCut(
        path.join(music, names[0] as string),
        path.join(tmp, 'voice.ogg'),
        {
          startS: 10,
          seconds: 15,
        },
      );
      const service = createChatService(engine, { log: (line) => say(`  [chat] ${line}`) });
      await engine.indexes();
      const before = await catalogueChecksum(url);
      const started = performance.now();
      const restartDuringServing = new Promise<number>((resolve, reject) =>
        setTimeout(() => restartPostgres().then(resolve, reject), 1500),
      );
      const outcomes = await Promise.all([
        telegramLoad(service, voice, CLIPS_PER_PLATFORM),
        slackLoad(service, voice, CLIPS_PER_PLATFORM),
      ]);
      const servingRestartMs = await restartDuringServing;
      const seconds = (performance.now() - started) / 1000;
      await service.drain();
      say(
        `load: ${CLIPS_PER_PLATFORM} voice notes per platform at once, ${seconds.toFixed(1)} s; ` +
          `PostgreSQL restarted 1.5 s in (${(servingRestartMs / 1000).toFixed(1)} s)`,
      );
      for (const o of outcomes) {
        say(`  ${describe(o)}`);
        ok &&= o.lost === 0 && o.answered + o.busy === o.sent && o.answered > 0;
      }
      const afterServing = await catalogueChecksum(url);
      const unchanged =
        afterServing.checksum === before.checksum && afterServing.rows === before.rows;
      ok &&= unchanged;
      say(`  peak RSS ${mib(peakRss)}`);
      say(
        `  catalogue checksum before serving ${before.checksum} (${before.rows} rows), after ${afterServing.checksum} (${afterServing.rows} rows) ${unchanged ? 'OK' : 'CHANGED'}`,
      );
    } finally {
      await engine.close();
    }
    say(`result: ${ok ? 'PASS' : 'FAIL'}`);
    return ok ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await rm(tmp, { recursive: true, force: true });
  }
}

function checkCatalogue(c: CatalogueChecksum, files: number, expected: string): boolean {
  return c.rows === files && c.duplicates === 0 && c.unanalysed === 0 && c.checksum === expected;
}

function describe(o: LoadOutcome): string {
  const ms = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v)} ms`);
  return (
    `${o.platform}: sent ${o.sent}, answered ${o.answered}, busy ${o.busy}, other ${o.other}, lost ${o.lost}; ` +
    `p50 ${ms(percentile(o.latenciesMs, 0.5))}, p95 ${ms(percentile(o.latenciesMs, 0.95))}`
  );
}

/** Resolves true when a TCP connection to the URL's host and port opens within 2 s. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

/** True when `pg_ctlcluster` (Debian's postgresql-common), which restarts the server, is there. */
function hasPgCtlcluster(): boolean {
  try {
    execFileSync('pg_ctlcluster', ['--help'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const START_POSTGRES = 'sudo apt-get install postgresql-15 && sudo pg_ctlcluster 15 main start';
if (!hasPgCtlcluster()) {
  exitMissingData('soak', 'needs pg_ctlcluster to restart the local PostgreSQL 15', START_POSTGRES);
}
if (!(await reachable(ADMIN_URL))) {
  exitMissingData(
    'soak',
    `no PostgreSQL answers at ${new URL(ADMIN_URL).host} (or set SOAK_ADMIN_URL)`,
    START_POSTGRES,
  );
}

const watchdog = setTimeout(() => {
  say(`result: FAIL (the soak did not finish within ${TIME_LIMIT_MS / 60_000} min)`);
  process.exit(2);
}, TIME_LIMIT_MS);
watchdog.unref();

main().then(
  (code) => {
    // Adapters' sockets may linger for a moment; the verdict is in.
    process.exit(code);
  },
  (error: unknown) => {
    say(`result: FAIL (${error instanceof Error ? error.message : String(error)})`);
    process.exit(1);
  },
);
