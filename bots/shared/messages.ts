/**
 * Every text a user of any chat platform reads, in one place (plain text; adapters may add their
 * own markup around it). Functions take the numbers and names they mention.
 */
import { formatBytes, MAX_CLIP_S, MIN_CLIP_S } from './limits.js';
import { NOT_MUSIC_MESSAGE } from './recommender-port.js';
import type { Platform } from './types.js';

/** What to send instead, appended to refusals. */
export const WHAT_TO_SEND =
  'Send a voice message with a song playing, an audio file (mp3, ogg, m4a, wav…) or a video with sound.';

/** Platforms whose adapter takes the mix command. */
const MIX_PLATFORMS: ReadonlySet<Platform> = new Set(['telegram', 'slack', 'discord']);

/** How each platform calls its commands in help texts. */
const COMMAND_PREFIX: Readonly<Record<Platform, string>> = {
  telegram: '/',
  slack: '/synesthete ',
  discord: '/',
  web: '/',
};

const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** The texts, by occasion. */
export const MESSAGES = {
  /** A 0-byte file. */
  empty: `That file is empty. ${WHAT_TO_SEND}`,
  /**
   * A file over the platform's limit.
   * @param maxBytes - the limit, bytes
   * @param bytes - the file's size, bytes, when known
   */
  tooBig: (maxBytes: number, bytes?: number) =>
    `That file is too big${bytes !== undefined ? ` (${formatBytes(bytes)})` : ''}: I can take up to ${formatBytes(maxBytes)}. Send a shorter clip — 30 seconds of the song is plenty.`,
  /** @param maxS - longest clip, seconds */
  tooLong: (maxS = MAX_CLIP_S) =>
    `That clip is too long: I can take up to ${minutes(maxS)}. Send a shorter clip — 30 seconds of the song is plenty.`,
  /** @param minS - shortest clip, seconds */
  tooShort: (minS = MIN_CLIP_S) =>
    `That clip is too short: send at least ${minS} seconds of the song (15–30 s works best).`,
  /** A picture, document or archive, refused before download. */
  notAudio: `That doesn't look like audio. ${WHAT_TO_SEND}`,
  /** ffmpeg could not decode it (or the download failed). */
  unreadable:
    "I couldn't read that as audio — send a voice message or an audio file (mp3, ogg, m4a, wav…).",
  /**
   * The music gate said no.
   * @param silence - true when the clip was (nearly) silent
   */
  notMusic: (silence: boolean) =>
    `${NOT_MUSIC_MESSAGE}${silence ? ' — it sounded silent' : ''}. Hold the phone near the speaker while the song plays and send a voice message, or send the audio file itself.`,
  /** The work queue is full. */
  busy: "I'm busy right now — try again in a minute.",
  /** @param retryAfterS - seconds until the user may send again (≥ 1) */
  rateLimited: (retryAfterS: number) =>
    `You're sending clips faster than I can listen — try again in ${Math.max(1, Math.ceil(retryAfterS))} s.`,
  /** The catalogue has no tracks. */
  emptyCatalog: 'My catalogue is empty right now, so I have nothing to recommend yet.',
  /** Anything unexpected. */
  error: 'Something went wrong on my side — please try again in a moment.',
  /** A vote or "more like this" on a track that is gone. */
  unknownTrack: "That track isn't in my catalogue any more.",
  /** @param label - "Title — Artist" */
  likedAck: (label: string) => `Noted — more like ${label} next time.`,
  /** @param label - "Title — Artist" */
  dislikedAck: (label: string) => `Noted — less like ${label}.`,
  /** @param label - "Title — Artist" */
  moreHeading: (label: string) => `More like ${label}`,
  /** @param names - the seeds' names, oldest first */
  mixHeading: (names: readonly string[]) =>
    `A mix of your last ${names.length} clips: ${names.map((n, i) => `${i + 1}. ${n}`).join(' · ')}`,
  /** @param label - "Title — Artist"; @param count - seeds now in the mix */
  addedToMix: (label: string, count: number) =>
    `Added ${label} to your mix (${count} of up to 3)${count >= 2 ? ' — press Mix for tracks that suit them all' : ''}.`,
  mixNeedsClips:
    'Send me two or more clips first (voice notes or audio files), then /mix for tracks that suit them all.',
  /** @param summary - the clip's one-line description ("128 BPM · A minor · bright") */
  clipSummary: (summary: string) => `Your clip: ${summary}`,
  /** /forget. */
  forgotten: 'Forgotten — your 👍/👎 in this chat are cleared; answers start fresh.',
  /** Shown under results that the conversation's votes re-ranked. */
  feedbackApplied: 'Re-ranked by your 👍/👎 in this chat (/forget to clear).',
  /** When the clip itself is a catalogue track. */
  match: (label: string) => `🎯 This sounds like ${label}.`,
  /** The button under an answer that sends the catalogue map. */
  mapButton: '🗺 Show on the map',
  /** How the map names a clip, and a clip recognised as a catalogue track. */
  mapClip: 'your clip',
  mapClipIs: (label: string) => `your clip (${label})`,
  mapMix: 'your mix',
  /**
   * Sent with the map picture.
   * @param tracks - tracks on the map; @param marked - what is marked (absent: nothing yet);
   *   @param colouredBy - what the colours show ("genre tag", "folder")
   */
  mapCaption: (tracks: number, marked?: string, colouredBy = 'genre tag') =>
    marked
      ? `🗺 The catalogue's ${tracks.toLocaleString('en-US')} tracks, similar ones close together, coloured by ${colouredBy}: ★ ${marked}, ringed 1–5 its five.`
      : `🗺 The catalogue's ${tracks.toLocaleString('en-US')} tracks, similar ones close together, coloured by ${colouredBy}. Send a clip to see where it lands.`,
  /** Alt text of the map picture. @param colouredBy - what the colours show */
  mapAlt: (colouredBy = 'genre tag') =>
    `Map of the catalogue: one dot per track, similar tracks close together, coloured by ${colouredBy}`,
  /** @param tracks - tracks in the catalogue; @param min - tracks a map needs */
  mapTooSmall: (tracks: number, min: number) =>
    `My catalogue has only ${tracks} track${tracks === 1 ? '' : 's'} — a map needs at least ${min}.`,
  mapUnavailable: "I can't draw the catalogue map here.",
  /** Results list is empty (tiny catalogue, everything 👎'd). */
  noResults: 'I found nothing else to recommend for that clip.',
} as const;

/** How `similar` is used on each platform (the web chat has no message to reply to). */
const SIMILAR_HELP: Readonly<Record<Platform, string | undefined>> = {
  telegram:
    "similar — send it as a reply to an earlier audio message to search with it again, or give a track's number: /similar 12. Filters follow (genre:jazz not-genre:rock min-duration:1:30 max-duration:5:00), or go in a clip's caption",
  slack:
    'similar 12 — the neighbours of catalogue track 12; mention me with "similar" in a clip\'s thread to search with it again. Filters follow (genre:jazz not-genre:rock min-duration:1:30 max-duration:5:00), or go in the upload\'s message',
  discord:
    'similar — attach a clip to the command (options genre, not_genre, min_duration, max_duration narrow the results), or use "Find similar" on a message with audio',
  web: undefined,
};

/** Platforms where a command sends the map (the others have only the button). */
const MAP_COMMAND_PLATFORMS: ReadonlySet<Platform> = new Set(['telegram', 'slack']);

/**
 * The `/help` text for a platform: what to send, the limits, the buttons and the commands.
 *
 * @param platform - whose command syntax and byte limit to show
 * @param maxBytes - the platform's byte limit (see limits.ts `clipLimits`)
 * @param minS - shortest clip, seconds
 * @param maxS - longest clip, seconds
 * @returns several lines of plain text
 */
export function helpMessage(
  platform: Platform,
  maxBytes: number,
  minS = MIN_CLIP_S,
  maxS = MAX_CLIP_S,
): string {
  const p = COMMAND_PREFIX[platform];
  return [
    'Send me a clip and I answer with the five most similar tracks of my catalogue.',
    '',
    'What to send:',
    '• a voice message recorded while the song plays',
    '• an audio file (mp3, ogg, m4a, wav, flac…)',
    '• a video with sound',
    `Up to ${formatBytes(maxBytes)}, between ${minS} s and ${minutes(maxS)} long (15–30 s works best).`,
    '',
    'Buttons under each answer: 👍 more like this one next time, 👎 less like it, 🔁 more like this (its neighbours), 🗺 show on the map (where your clip and its five sit among all my tracks).',
    '',
    'Commands:',
    ...(SIMILAR_HELP[platform] ? [`${p}${SIMILAR_HELP[platform]}`] : []),
    ...(MAP_COMMAND_PLATFORMS.has(platform)
      ? [`${p}map — the catalogue map with your last answer marked`]
      : []),
    ...(MIX_PLATFORMS.has(platform)
      ? [`${p}mix — tracks that suit your last clips (up to three) together`]
      : []),
    `${p}forget — clear your 👍/👎 in this chat`,
    `${p}help — this text`,
    '',
    'I keep no audio: clips are analysed and dropped; only your votes in this chat are kept, in memory.',
  ].join('\n');
}
