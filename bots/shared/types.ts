/**
 * The one contract every chat adapter (Telegram, Slack, Discord, web) shares: a platform event
 * becomes a neutral {@link ClipInput}; the {@link ChatService} turns it into a neutral
 * {@link ChatAnswer}; the adapter renders that answer the platform's way. Adapters import this
 * file and bots/shared — never tfjs, hnswlib, drizzle or core internals.
 */

import type { PcmAudio } from '../../core/audio/pcm-input.js';
import type { MapView } from './catalogue-map.js';
import type { TrackFilter } from './recommender-port.js';

/** Platforms with an adapter. */
export type Platform = 'telegram' | 'slack' | 'discord' | 'web';

/** What the platform called the thing the user sent. */
export type ClipKind = 'voice' | 'audio' | 'document' | 'video' | 'live';

/**
 * One clip a user sent, with its bytes fetched only on demand (after size/type checks and a
 * queue slot). Download quirks, auth and platform limits stay in the adapter that builds it.
 */
export interface ClipInput {
  readonly platform: Platform;
  readonly kind: ClipKind;
  /** Platform-scoped id of the conversation (chat, channel or thread): feedback is kept per it. */
  readonly conversation: string;
  /** Platform-scoped id of the sender: the rate limit is per user. */
  readonly user: string;
  /** File name as sent, when there is one ("voice.ogg"). */
  readonly fileName?: string;
  /** MIME type as announced by the platform ("audio/ogg"), when there is one. */
  readonly mimeType?: string;
  /** Size in bytes as announced by the platform, checked before downloading. */
  readonly byteLength?: number;
  /** Duration in seconds as announced by the platform, checked before downloading. */
  readonly durationS?: number;
  /**
   * Genre tags the results must have or must not have, and their duration range (Discord's
   * `/similar genre:`, Telegram's `/similar --genre jazz`; see chat-filters.ts).
   */
  readonly filter?: TrackFilter;
  /**
   * Downloads the file's bytes.
   * @throws anything the platform download throws; the service answers it as "unreadable"
   */
  read(): Promise<Uint8Array>;
  /**
   * Live audio only (kind `live`): the captured audio as mono PCM, analysed instead of `read()`'s
   * bytes so that it never passes through a file. Bytes-based checks use `pcm.byteLength`.
   */
  readPcm?(): Promise<PcmAudio>;
}

/** Mono Float32 PCM in [-1, 1] at `sampleRate` Hz (live capture, already decoded). */
export type { PcmAudio } from '../../core/audio/pcm-input.js';

/** One recommended track as every platform shows it. */
export interface ResultItem {
  /** 1-based rank. */
  readonly rank: number;
  readonly trackId: number;
  /** "Title — Artist" with fallbacks to the file name; never empty. */
  readonly label: string;
  readonly title: string | null;
  readonly artist: string | null;
  /** Cosine similarity in [-1, 1]. */
  readonly similarity: number;
  /** Calibrated confidence in [0, 1]. */
  readonly confidence: number;
  /**
   * One line: what the clip and the track share (tempo, key, timbre), followed by the genre its
   * neighbours voted when there is one.
   */
  readonly reason: string;
  /** The genre voted by the track's nearest catalogue tracks: "jazz 0.70, blues 0.20". */
  readonly tags?: string;
  /** Answers to a set of clips (`/mix`): the 0-based index of the seed this track is closest to. */
  readonly closestSeed?: number;
}

/** The catalogue track the clip itself was recognised as. */
export interface MatchItem {
  readonly trackId: number;
  readonly label: string;
  /** Window-match score in [-1, 1]. */
  readonly score: number;
}

/** Why a clip was not searched; each has its own friendly text. */
export type RejectReason =
  | 'empty'
  | 'too-big'
  | 'too-long'
  | 'too-short'
  | 'not-audio'
  | 'unreadable'
  | 'not-music';

/** The service's answer to a clip or a button, rendered by each adapter its own way. */
export type ChatAnswer =
  | {
      readonly kind: 'results';
      /** Opaque id of this answer (buttons refer to it). */
      readonly answerId: string;
      /** Present when the clip is itself a catalogue track. */
      readonly match?: MatchItem;
      /** One line describing the clip, e.g. "128 BPM · A minor · bright". */
      readonly summary: string;
      /** Up to five, best first. */
      readonly results: readonly ResultItem[];
      /** True when this conversation's 👍/👎 re-ranked the results. */
      readonly feedbackApplied: boolean;
      /** The log-mel spectrogram the model saw, as a PNG; absent for "more like this". */
      readonly spectrogramPng?: Uint8Array;
      /** Heading when the results are neighbours of a track ("More like Nebula — X"). */
      readonly heading?: string;
    }
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly text: string }
  | { readonly kind: 'busy'; readonly text: string }
  | { readonly kind: 'rate-limited'; readonly text: string; readonly retryAfterS: number }
  | { readonly kind: 'error'; readonly text: string }
  /** A button press that needs only a short confirmation ("Noted: less like X"). */
  | { readonly kind: 'ack'; readonly text: string };

/** A picture the service answers with (the catalogue map), or why there is none. */
export type PictureAnswer =
  | {
      readonly kind: 'picture';
      readonly png: Uint8Array;
      /** "map.png". */
      readonly fileName: string;
      /** One line sent with the picture. */
      readonly caption: string;
      /** What the picture shows, for screen readers. */
      readonly alt: string;
    }
  | { readonly kind: 'ack' | 'error'; readonly text: string };

/** The web chat's interactive map, or why there is none. */
export type MapViewAnswer = MapView | { readonly kind: 'ack' | 'error'; readonly text: string };

/** A button on a result. */
export type Vote = 'up' | 'down' | 'more';

/** What every adapter calls. One instance serves all adapters of a process. */
export interface ChatService {
  /**
   * Checks the announced size and type, waits for a queue slot (per-user rate limit, global
   * concurrency limit), downloads, analyses and answers. Never throws: every failure becomes a
   * `rejected`, `busy`, `rate-limited` or `error` answer with a friendly text.
   */
  handleClip(input: ClipInput): Promise<ChatAnswer>;
  /**
   * Records a vote on a result in a conversation. `up`/`down` answer `ack` (the next answer is
   * re-ranked); `more` answers the neighbours of that track, re-ranked by the votes so far.
   * Never throws.
   */
  vote(conversation: string, user: string, trackId: number, vote: Vote): Promise<ChatAnswer>;
  /**
   * `/mix`: tracks for the conversation's last clips (up to three) as a set, each result naming
   * the clip it is closest to; a short `ack` asking for clips when fewer than two were sent.
   * Never throws. Optional so that recording fakes of the service may leave it out.
   */
  mix?(conversation: string): Promise<ChatAnswer>;
  /**
   * Adds a catalogue track to the conversation's seeds for `/mix` (the last three are kept), and
   * acknowledges with how many there are. Never throws. Optional like {@link mix}.
   */
  addToMix?(conversation: string, trackId: number): Promise<ChatAnswer>;
  /**
   * Neighbours of a catalogue track (`/similar 12 genre:jazz`), within `filter`; records no vote.
   * Never throws. Optional like {@link mix}.
   */
  similarTrack?(conversation: string, trackId: number, filter?: TrackFilter): Promise<ChatAnswer>;
  /**
   * The catalogue map as a PNG with an answer of this conversation marked: its clip (or track) as
   * a star and its five ringed — the answer `answerId` when it is still remembered, else the
   * conversation's last; the bare catalogue when there is none. An `ack` when the catalogue is
   * too small for a map. Never throws. Optional like {@link mix}.
   */
  mapPicture?(conversation: string, answerId?: string): Promise<PictureAnswer>;
  /**
   * Reads the map's cached layout, or computes and caches it, now — so that the first press
   * answers fast. Never throws (a failure is logged; the press tries again).
   */
  prepareMap?(): Promise<void>;
  /** The same map as points for the web chat to draw. Never throws. Optional like {@link mix}. */
  mapView?(conversation: string, answerId?: string): Promise<MapViewAnswer>;
  /** Clears a conversation's votes and remembered clips; returns the confirmation text. Never throws. */
  forget(conversation: string): Promise<string>;
  /**
   * Claims a platform event (e.g. `slack:event:<id>`) for `ttlS` seconds, so that an event
   * delivered twice, or to two instances, is handled once. True for the first claim. Never throws
   * (true when the storage fails: answering twice beats not answering).
   */
  claimOnce(key: string, ttlS: number): Promise<boolean>;
  /** What to send and what the commands do, for `/help` on each platform. */
  helpText(platform: Platform): string;
  /**
   * The audio file a catalogue track was ingested from, for previews (the web chat serves it);
   * undefined when the track is unknown or its file is gone. Never throws.
   */
  trackAudioPath(trackId: number): Promise<string | undefined>;
  /** Waits for queued work to finish (used at shutdown). */
  drain(): Promise<void>;
}

/** A running adapter, as `npm start` holds it. */
export interface RunningAdapter {
  readonly platform: Platform;
  /** Where it listens or what it connects to, for the start-up log (no secrets). */
  readonly description: string;
  stop(): Promise<void>;
}
