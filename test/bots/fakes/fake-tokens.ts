/**
 * Credentials for the local fakes, made up at run time so that nothing shaped like a real
 * Telegram or Slack token is committed (tokens of the running bots come from the environment only).
 */
import { randomBytes, randomInt } from 'node:crypto';

/** `length` URL-safe random characters. */
function randomText(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** A Telegram-shaped bot token ("<bot id>:<35 characters>"), random for each test process. */
export function fakeTelegramToken(): string {
  return `${randomInt(100_000_000, 999_999_999)}:${randomText(35)}`;
}

/** A Slack-shaped token with the given prefix ("xoxb", "xapp"), random for each call. */
export function fakeSlackToken(prefix: 'xoxb' | 'xapp'): string {
  return `${prefix}-${randomInt(1e9, 9e9)}-${randomText(24)}`;
}
