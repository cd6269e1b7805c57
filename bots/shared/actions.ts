/**
 * Button payloads shared by every adapter: a vote on one result travels as a short string
 * ("v:down:12"), the "🗺 show on the map" button of an answer as "map:<answer id>", both well
 * under Telegram's 64-byte `callback_data` and Discord's 100-character `custom_id` limits.
 */
import type { Vote } from './types.js';

/** A decoded button press. */
export interface VoteAction {
  readonly vote: Vote;
  readonly trackId: number;
}

const PREFIX = 'v';
const VOTES: readonly Vote[] = ['up', 'down', 'more'];

/**
 * Encodes a vote on a track as a button payload.
 *
 * @param action - the vote and the catalogue track id (a positive integer)
 * @returns e.g. "v:up:12" (at most 20 characters)
 */
export function encodeAction(action: VoteAction): string {
  return `${PREFIX}:${action.vote}:${action.trackId}`;
}

/**
 * Decodes a button payload written by {@link encodeAction}.
 *
 * @param payload - the platform's callback data / custom id / action value
 * @returns the vote, or undefined when the payload is not one of ours (never throws)
 */
export function decodeAction(payload: string): VoteAction | undefined {
  const [prefix, vote, id] = payload.split(':');
  if (prefix !== PREFIX || !VOTES.includes(vote as Vote) || !id || !/^\d{1,12}$/.test(id)) {
    return undefined;
  }
  return { vote: vote as Vote, trackId: Number(id) };
}

/** Payload prefix of the "🗺 show on the map" button. */
const MAP_PREFIX = 'map';

/**
 * Encodes the "show on the map" button of an answer.
 *
 * @param answerId - the answer's id (a UUID: 40 characters in all, under Telegram's 64 bytes)
 * @returns "map:<answerId>"
 */
export function encodeMapAction(answerId: string): string {
  return `${MAP_PREFIX}:${answerId}`;
}

/**
 * Decodes a payload written by {@link encodeMapAction}.
 *
 * @returns the answer id ("" for a bare "map"), or undefined when the payload is not a map button
 */
export function decodeMapAction(payload: string): string | undefined {
  if (payload === MAP_PREFIX) return '';
  const m = /^map:([\w-]{1,60})$/.exec(payload);
  return m ? (m[1] as string) : undefined;
}
