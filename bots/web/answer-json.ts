/**
 * The JSON the page receives: a {@link ChatAnswer} with the spectrogram's bytes replaced by a URL
 * and each result given its preview URL (when the catalogue still has its file).
 */
import type { ChatAnswer, ResultItem } from '../shared/types.js';

/** A result as the page gets it. */
export type WebResultItem = ResultItem & {
  /** `/api/tracks/:id/audio`, absent when the track's file is gone. */
  readonly audioUrl?: string;
};

/** A ChatAnswer as JSON for the page. */
export type WebAnswer =
  | (Omit<Extract<ChatAnswer, { kind: 'results' }>, 'spectrogramPng' | 'results'> & {
      readonly results: readonly WebResultItem[];
      /** Where the page fetches the spectrogram PNG, when the answer has one. */
      readonly spectrogramUrl?: string;
    })
  | Exclude<ChatAnswer, { kind: 'results' }>
  /** Help text for `GET /api/help`. */
  | { readonly kind: 'help'; readonly text: string };

/** The preview URL of a catalogue track. */
export function trackAudioUrl(trackId: number): string {
  return `/api/tracks/${trackId}/audio`;
}

/** The URL of an answer's spectrogram picture. */
export function spectrogramUrl(answerId: string): string {
  return `/api/answers/${encodeURIComponent(answerId)}/spectrogram.png`;
}

/**
 * Converts a service answer into the page's JSON.
 *
 * @param answer - the service's answer
 * @param hasAudio - whether a track has a preview file (asked once per result)
 * @param spectrogramStored - true when the answer's picture was put into the spectrogram cache
 * @returns the JSON-ready answer (no binary fields)
 */
export async function toWebAnswer(
  answer: ChatAnswer,
  hasAudio: (trackId: number) => Promise<boolean>,
  spectrogramStored: boolean,
): Promise<WebAnswer> {
  if (answer.kind !== 'results') return answer;
  const { spectrogramPng: _png, results, ...rest } = answer;
  const withAudio = await Promise.all(
    results.map(
      async (item): Promise<WebResultItem> =>
        (await hasAudio(item.trackId)) ? { ...item, audioUrl: trackAudioUrl(item.trackId) } : item,
    ),
  );
  return {
    ...rest,
    results: withAudio,
    ...(spectrogramStored ? { spectrogramUrl: spectrogramUrl(answer.answerId) } : {}),
  };
}
