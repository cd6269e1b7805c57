/**
 * Turns a catalogue location string into what to open (a PostgreSQL URL, a PGlite directory, or an
 * in-memory PGlite), and into a printable form with any password redacted.
 *
 * @module
 */

import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCatalogDir } from '../util/paths.js';

/** A parsed catalogue location. `display` is safe to print (passwords replaced by `***`). */
export type CatalogLocation =
  | { kind: 'postgres'; url: string; display: string }
  | { kind: 'pglite'; dataDir: string; display: string }
  | { kind: 'pglite'; dataDir: undefined; display: 'memory://' };

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Redacts credentials in a connection string: the password of `scheme://user:password@host/...`
 * becomes `***`, and so does the value of any `password=` query parameter. Strings that are not
 * URLs are returned unchanged. Over-redacts rather than leak when the URL is malformed.
 *
 * @param location - a URL or a path
 * @returns the printable form, e.g. `postgres://user:***@host/db`
 */
export function redactLocation(location: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(location);
  if (scheme === null) return location;
  const head = scheme[0];
  let rest = location.slice(head.length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) rest = `${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
  }
  rest = rest.replace(/([?&]password=)[^&#]*/gi, '$1***');
  return head + rest;
}

/**
 * Decides how to open a catalogue.
 *
 * - `postgres://…` / `postgresql://…` → PostgreSQL (postgres-js)
 * - `memory://` → in-memory PGlite (nothing persisted)
 * - `file://…` or any other string → a PGlite data directory (resolved absolute)
 * - undefined or empty → `DATABASE_URL` from the environment, else {@link defaultCatalogDir}
 *
 * @param location - explicit location, or undefined for the environment/default
 * @param env - environment to read `DATABASE_URL` from (default `process.env`)
 */
export function parseCatalogLocation(
  location: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CatalogLocation {
  const given = location?.trim() || env.DATABASE_URL?.trim() || defaultCatalogDir();
  if (POSTGRES_URL.test(given)) {
    return { kind: 'postgres', url: given, display: redactLocation(given) };
  }
  if (/^memory:\/\/\/?$/i.test(given)) {
    return { kind: 'pglite', dataDir: undefined, display: 'memory://' };
  }
  const path = /^file:\/\//i.test(given) ? fileURLToPath(given) : given;
  const dataDir = isAbsolute(path) ? path : resolve(path);
  return { kind: 'pglite', dataDir, display: dataDir };
}
