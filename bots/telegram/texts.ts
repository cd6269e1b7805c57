/** The Telegram adapter's own short texts (the chat service writes the answers themselves). */

/** Reply to text, stickers and the like in a private chat. */
export const HINT_SEND_AUDIO =
  'Send me a voice note with a song playing (or an audio file) and I’ll answer with the five most similar tracks of my catalogue. /help explains more.';

/** Reply to a document that is not audio. */
export const HINT_NOT_AUDIO =
  'That file doesn’t look like audio. Send a voice note, an audio file or a video with sound.';

/** Reply to /similar without a replied-to clip. */
export const HINT_SIMILAR =
  'Reply /similar to a voice note, audio file or video in this chat and I’ll find tracks that sound like it — or give a catalogue track’s number: /similar 12. Filters follow: /similar genre:jazz not-genre:rock min-duration:1:30 max-duration:5:00.';

/** Toast while the map is being drawn. */
export const DRAWING_MAP = 'Drawing the map…';

/** Shown on a button whose payload is not ours (an old bot's message). */
export const BUTTON_EXPIRED = 'That button no longer works. Send a new clip.';

/** Toast while "more like this" is being computed. */
export const LOOKING_FOR_MORE = 'Looking for more like this…';

/** When something unexpected failed; never an error's details. */
export const SOMETHING_WENT_WRONG = 'Sorry, something went wrong on my side. Please try again.';

/**
 * Refusal of a file bigger than what the adapter may download from Telegram.
 *
 * @param announcedBytes - size Telegram announced
 * @param limitBytes - the adapter's download cap
 */
export function tooBigText(announcedBytes: number, limitBytes: number): string {
  const mb = (n: number) => Math.round(n / (1024 * 1024));
  return `That file is ${mb(announcedBytes)} MB; I can fetch at most ${mb(limitBytes)} MB from Telegram. Send a shorter clip or a voice note.`;
}
