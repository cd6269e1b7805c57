/**
 * One owner at a time for an embedded (PGlite) catalogue. PGlite is PostgreSQL in single-user
 * mode inside one process: two processes that open the same data directory each keep their own
 * buffers and write over each other's pages (lost rows, corrupt TOAST chunks). So the first
 * process to open a catalogue directory takes `synesthete.lock` in it, and every other opener is
 * refused with a message that names the owner and the two ways out (a PostgreSQL catalogue, which
 * takes any number of processes, or stopping the owner).
 *
 * The lock file appears atomically with its whole content (written to a temporary file, then
 * hard-linked into place, which fails when the name exists). A lock whose process is gone — same
 * host, PID not running, or this very PID but not held by this process (a restarted container
 * reuses its PIDs) — is stale and taken over.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { SynestheteError } from '../util/errors.js';

/** The lock file's name inside a catalogue directory. */
export const LOCK_FILE = 'synesthete.lock';

/** What the lock file records about its owner. */
export interface LockOwner {
  pid: number;
  host: string;
  /** What the owner runs, e.g. `synesthete ingest` or `start`. */
  command: string;
  /** ISO 8601 time the lock was taken. */
  since: string;
}

/** A held lock; {@link CatalogLock.release} removes the file (idempotent, never throws). */
export interface CatalogLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Lock files this process holds (so a second open in the same process is refused too). */
const heldHere = new Set<string>();

/**
 * Takes the lock of a PGlite catalogue directory (which must exist).
 *
 * @example
 * ```ts
 * const lock = await lockCatalogDir('/srv/music/catalog');
 * try { ... open PGlite ... } finally { await lock.release(); }
 * ```
 * @param dataDir - absolute catalogue directory
 * @returns the held lock
 * @throws SynestheteError `E_CATALOG` "catalogue … is in use by PID … (command, since …): run with
 *   --catalog <postgres-url> … or stop it" when a live process holds it; `E_CATALOG` when the lock
 *   file cannot be written
 */
export async function lockCatalogDir(dataDir: string): Promise<CatalogLock> {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command: describeCommand(),
    since: new Date().toISOString(),
  };
  // A handful of tries: each failed one either removed a stale lock or lost a race for it.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(path, me)) {
      heldHere.add(path);
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          const owner = await readOwner(path);
          if (owner?.pid === me.pid && owner.since === me.since) await rm(path, { force: true });
        },
      };
    }
    const owner = await readOwner(path);
    if (owner === undefined) {
      // Vanished between the two calls, or unreadable: try again (a garbled file is stale).
      if (await isGarbled(path)) await breakStale(path, undefined);
      continue;
    }
    if (isAlive(owner, path)) throw inUse(dataDir, owner);
    await breakStale(path, owner);
  }
  throw new SynestheteError(
    'E_CATALOG',
    `catalogue ${dataDir} is being opened by other processes at the same time: try again`,
  );
}

/** Creates the lock file with `owner` in one step; false when it exists already. */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(owner)}\n`);
  } catch (error) {
    throw new SynestheteError('E_CATALOG', `cannot write the catalogue lock ${path}`, {
      cause: error,
    });
  }
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SynestheteError('E_CATALOG', `cannot write the catalogue lock ${path}`, {
      cause: error,
    });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The owner recorded in the lock file, or undefined when it is missing or not a lock. */
async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.since === 'string'
    ) {
      return {
        pid: value.pid,
        host: value.host,
        command: typeof value.command === 'string' ? value.command : '?',
        since: value.since,
      };
    }
  } catch {
    // Not JSON: garbled.
  }
  return undefined;
}

/** True when the file exists but does not hold a lock record. */
async function isGarbled(path: string): Promise<boolean> {
  try {
    await readFile(path, 'utf8');
  } catch {
    return false;
  }
  return (await readOwner(path)) === undefined;
}

/**
 * Whether the recorded owner may still be running: another host's process cannot be checked
 * (assumed alive); on this host the PID must exist, and this process's own PID counts only when
 * this process holds the lock.
 */
function isAlive(owner: LockOwner, path: string): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock without removing a fresh one a racing process just took: the file is moved
 * aside first, and put back when what was moved is not the stale record read before.
 */
async function breakStale(path: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already: someone else broke it
  }
  const moved = await readOwner(aside);
  const same =
    stale === undefined
      ? moved === undefined
      : moved?.pid === stale.pid && moved.since === stale.since;
  if (!same) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** The refusal naming the owner and the ways out. */
function inUse(dataDir: string, owner: LockOwner): SynestheteError {
  const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
  return new SynestheteError(
    'E_CATALOG',
    `catalogue ${dataDir} is in use by PID ${owner.pid}${where} (${owner.command}, since ${owner.since}): ` +
      'an embedded catalogue has one process at a time; run with --catalog <postgres-url> ' +
      '(or DATABASE_URL) to share a catalogue between processes, or stop it',
  );
}

/** A short name for this process's command: `synesthete ingest`, `start`, … */
function describeCommand(): string {
  const script = process.argv[1] ? basename(process.argv[1]).replace(/\.[cm]?[jt]s$/, '') : 'node';
  const name = script === 'main' ? 'synesthete' : script;
  const sub = process.argv[2] && !process.argv[2].startsWith('-') ? ` ${process.argv[2]}` : '';
  return `${name}${sub}`.slice(0, 80);
}
