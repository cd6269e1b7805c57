/**
 * Same-origin and host checks: POSTs are accepted only from the chat's own page, and a chat bound
 * to loopback only answers loopback host names (which defeats DNS rebinding).
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * True when `host` (an interface address) accepts connections only from this machine.
 *
 * @param host - the address the server binds to, e.g. "127.0.0.1", "::1", "0.0.0.0"
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Host name of a `Host` header value ("localhost:8080" → "localhost", "[::1]:80" → "[::1]"). */
function hostName(hostHeader: string): string {
  const trimmed = hostHeader.trim().toLowerCase();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return end < 0 ? trimmed : trimmed.slice(0, end + 1);
  }
  const colon = trimmed.indexOf(':');
  return colon < 0 ? trimmed : trimmed.slice(0, colon);
}

/**
 * Checks the request's `Host` header.
 *
 * @param req - any request
 * @param loopbackOnly - true when the server is bound to loopback: only loopback names pass
 * @returns true when the host is acceptable
 */
export function hostAllowed(req: IncomingMessage, loopbackOnly: boolean): boolean {
  const host = req.headers.host;
  if (!host) return false;
  if (!loopbackOnly) return true;
  return isLoopbackHost(hostName(host));
}

/**
 * Checks that a state-changing request comes from the chat's own page: its `Origin` must be
 * `http://<Host>` (browsers always send Origin on a POST). A request with neither `Origin` nor
 * `Sec-Fetch-Site` (curl, scripts on this machine) passes; `Sec-Fetch-Site` other than
 * `same-origin`/`none` fails.
 *
 * @param req - the request
 * @returns true when the request is same-origin (or from a non-browser client)
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.host.toLowerCase() === host.trim().toLowerCase()
  );
}
