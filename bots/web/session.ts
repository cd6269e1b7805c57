/**
 * The web chat's conversation id: a random value in an HttpOnly, SameSite=Strict cookie set on the
 * first visit. It is both the conversation (feedback is kept per it) and the user (rate limits).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'synesthete_session';

const SESSION_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Keep the cookie for 180 days: feedback outlives a closed tab. */
const MAX_AGE_S = 180 * 24 * 60 * 60;

/**
 * Returns the request's session id, or makes a new one and sets its cookie on `res`.
 *
 * @param req - the request; its `Cookie` header is read
 * @param res - the response, which gets a `Set-Cookie` header when the id is new
 * @returns a 22-character base64url id (128 random bits)
 */
export function ensureSession(req: IncomingMessage, res: ServerResponse): string {
  const existing = readSession(req);
  if (existing) return existing;
  const id = randomBytes(16).toString('base64url');
  res.appendHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${MAX_AGE_S}`,
  );
  return id;
}

/**
 * Reads the session id from the request's cookies.
 *
 * @returns the id, or undefined when the cookie is absent or not one we made
 */
export function readSession(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (SESSION_PATTERN.test(value)) return value;
  }
  return undefined;
}
