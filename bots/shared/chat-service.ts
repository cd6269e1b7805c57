/**
 * The chat service every adapter calls (see types.ts `ChatService`): checks a clip before it is
 * downloaded, rate-limits per user, queues the work, asks the engine, and turns the outcome —
 * results, or any of the ways a clip can fail — into one neutral {@link ChatAnswer}. It never
 * throws; unexpected failures are logged once (no audio, secrets redacted) and answered politely.
 * It also draws the catalogue map with a conversation's answer marked (catalogue-map.ts; each
 * conversation's last answers are kept in this process's memory for their "🗺" buttons) and
 * answers a catalogue track's neighbours within a filter (`/similar 12 genre:jazz`).
 */
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { MAP_LEGENDS } from '../../core/recommend/map-svg.js';
import { catalogueMaps, type MapMark, MapTooSmallError, MIN_MAP_TRACKS } from './catalogue-map.js';
import { describeFilter } from './chat-filters.js';
import { type ClipRateLimit, memoryRateLimit } from './clip-rate-limit.js';
import { redactSecrets } from './config.js';
import { type ConversationState, memoryState } from './conversation-state.js';
import type { FeedbackStoreOptions } from './feedback-store.js';
import { type ClipLimits, clipLimits, isObviouslyNotAudio } from './limits.js';
import { helpMessage, MESSAGES } from './messages.js';
import {
  answerNames,
  type FeedbackVotes,
  formatTagVote,
  type RecommendedTrack,
  type RecommenderPort,
  readableFileName,
  type TagVote,
  type TrackFilter,
  type TrackSummary,
  toSynestheteError,
  trackName,
} from './recommender-port.js';
import { memorySeeds, type SeedMemory } from './seed-memory.js';
import { renderSpectrogramPng } from './spectrogram-png.js';
import type {
  ChatAnswer,
  ChatService,
  ClipInput,
  MapViewAnswer,
  MatchItem,
  PcmAudio,
  PictureAnswer,
  Platform,
  RejectReason,
  ResultItem,
  Vote,
} from './types.js';
import { WorkQueue } from './work-queue.js';

/** Results per answer. */
export const RESULTS_PER_ANSWER = 5;

/** Answers remembered per conversation for the map button, and conversations remembered. */
const MAP_ANSWERS_PER_CONVERSATION = 5;
const MAP_CONVERSATIONS = 10_000;

/** Options of {@link createChatService}; every field has a default. */
export interface ChatServiceOptions {
  /** Clips analysed at once over all adapters (default 2). */
  readonly concurrency?: number | undefined;
  /** Clips waiting for a slot (default 16); one more is answered `busy`. */
  readonly maxPending?: number | undefined;
  /** Per-user token bucket: `clips` per `perS` seconds (default 6 per 60). */
  readonly rateLimit?: { readonly clips: number; readonly perS: number } | undefined;
  /**
   * Where the buckets live (e.g. redis-rate-limit.ts, shared by every instance); default: this
   * process's memory, sized by `rateLimit`.
   */
  readonly rateLimiter?: ClipRateLimit | undefined;
  /** Bounds of the in-memory vote store (when `state` is not given). */
  readonly feedback?: FeedbackStoreOptions | undefined;
  /**
   * Where votes and handled-event keys live (e.g. `catalogState`, shared by every instance and
   * kept across restarts); default: this process's memory.
   */
  readonly state?: ConversationState | undefined;
  /** Stricter or looser byte/duration caps than limits.ts gives, per platform. */
  readonly limits?: Partial<Record<Platform, Partial<ClipLimits>>> | undefined;
  /** Render the spectrogram PNG for results (default true). */
  readonly spectrogram?: boolean | undefined;
  /**
   * Where unexpected failures are reported (one line each, already redacted; default: stderr).
   */
  readonly log?: ((line: string) => void) | undefined;
  /** Clock in ms for the rate limiter (default `performance.now`); tests pass a fake. */
  readonly now?: (() => number) | undefined;
  /** Where each conversation's last clips are kept for `/mix` (default: memory, 3 per conversation). */
  readonly seeds?: SeedMemory | undefined;
}

/** "Title — Artist", a readable file name standing in for a missing title (core's names). */
function trackLabel(t: Pick<TrackSummary, 'title' | 'artist' | 'sourcePath'>): string {
  return trackName(t);
}

/**
 * The neutral result items of an answer: names carry the album where two tracks of the answer
 * (with the clip's own track, `alongside`) would read alike; the genre voted by each track's
 * neighbours follows its reason ("… · jazz 0.70, blues 0.20").
 */
function resultItems(
  tracks: readonly RecommendedTrack[],
  alongside: readonly TrackSummary[] = [],
): ResultItem[] {
  const names = answerNames([...alongside, ...tracks]).slice(alongside.length);
  return tracks.map((t, i) => {
    const tags = formatTagVote(t.tags);
    return {
      rank: i + 1,
      trackId: t.trackId,
      label: names[i] ?? trackLabel(t),
      title: t.title,
      artist: t.artist,
      similarity: t.similarity,
      confidence: t.confidence,
      reason: tags ? `${t.reason} · ${tags}` : t.reason,
      ...(tags ? { tags } : {}),
      ...(t.closestSeed !== undefined ? { closestSeed: t.closestSeed } : {}),
    };
  });
}

/** The clip's summary line with the genre its neighbours voted: "120 BPM · A minor · sounds like: jazz 0.70". */
function summaryWithTags(summary: string, tags: TagVote | undefined): string {
  const line = formatTagVote(tags);
  return line ? `${summary} · sounds like: ${line}` : summary;
}

/** The summary with the filter the results were chosen within: "… · only jazz · at most 4:00 long". */
function withFilter(summary: string, filter: TrackFilter | undefined): string {
  const line = describeFilter(filter);
  return line ? (summary ? `${summary} · ${line}` : line) : summary;
}

const hasVotes = (v: FeedbackVotes) => v.liked.length + v.disliked.length > 0;

/**
 * Creates the chat service over an engine.
 *
 * @param engine - the recommender (core's `Engine`, or any {@link RecommenderPort})
 * @param options - queue, rate limit, vote store, caps, logging
 * @returns a {@link ChatService}; one instance serves every adapter of a process
 * @throws RangeError when a queue or rate-limit option is out of range
 */
export function createChatService(
  engine: RecommenderPort,
  options: ChatServiceOptions = {},
): ChatService {
  const queue = new WorkQueue({ concurrency: options.concurrency, maxPending: options.maxPending });
  const limiter =
    options.rateLimiter ??
    memoryRateLimit({
      capacity: options.rateLimit?.clips ?? 6,
      perS: options.rateLimit?.perS ?? 60,
      now: options.now,
    });
  const state = options.state ?? memoryState(options.feedback);
  const seeds = options.seeds ?? memorySeeds();
  const writeLog = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => {
    try {
      writeLog(redactSecrets(line));
    } catch {
      // a failing logger must not turn an answer into a throw
    }
  };
  /** The conversation's votes; none (logged) when the storage fails: the clip is still answered. */
  const votesOf = async (conversation: string): Promise<FeedbackVotes> => {
    try {
      return await state.votes(conversation);
    } catch (error) {
      log(`[chat] reading votes failed: ${toSynestheteError(error).message}`);
      return { liked: [], disliked: [] };
    }
  };
  const limitsFor = (platform: Platform) => clipLimits(platform, options.limits?.[platform]);

  const maps = catalogueMaps(engine);
  /** Each conversation's last answers, as the map marks them (oldest conversation first). */
  const marks = new Map<string, { readonly answerId: string; readonly mark: MapMark }[]>();
  /** Remembers a results answer for the map button; returns the answer. */
  const remember = (
    conversation: string,
    answer: ChatAnswer,
    query: Omit<MapMark, 'results'>,
  ): ChatAnswer => {
    if (answer.kind !== 'results') return answer;
    const list = marks.get(conversation) ?? [];
    marks.delete(conversation);
    list.push({
      answerId: answer.answerId,
      mark: {
        ...query,
        results: answer.results.map((r) => ({
          id: r.trackId,
          label: r.label,
          similarity: r.similarity,
        })),
      },
    });
    if (list.length > MAP_ANSWERS_PER_CONVERSATION) list.shift();
    marks.set(conversation, list);
    if (marks.size > MAP_CONVERSATIONS) {
      const oldest = marks.keys().next().value;
      if (oldest !== undefined) marks.delete(oldest);
    }
    return answer;
  };
  /** The remembered answer `answerId` of a conversation, else its last one. */
  const markOf = (conversation: string, answerId: string | undefined): MapMark | undefined => {
    const list = marks.get(conversation) ?? [];
    return (list.find((a) => a.answerId === answerId) ?? list[list.length - 1])?.mark;
  };
  /** The map with an answer marked, or the text saying why there is none. */
  const mapFor = async <T>(
    conversation: string,
    answerId: string | undefined,
    draw: (map: Awaited<ReturnType<typeof maps.current>>, mark: MapMark | undefined) => Promise<T>,
  ): Promise<T | { kind: 'ack' | 'error'; text: string }> => {
    if (!maps.available) return { kind: 'ack', text: MESSAGES.mapUnavailable };
    try {
      return await draw(await maps.current(), markOf(conversation, answerId));
    } catch (error) {
      if (error instanceof MapTooSmallError) {
        return { kind: 'ack', text: MESSAGES.mapTooSmall(error.tracks, MIN_MAP_TRACKS) };
      }
      const e = toSynestheteError(error);
      log(`[chat] map failed: ${e.code}: ${e.message}`);
      return { kind: 'error', text: MESSAGES.error };
    }
  };

  const reject = (reason: RejectReason, text: string): ChatAnswer => ({
    kind: 'rejected',
    reason,
    text,
  });

  /** The answer for a clip refused on what the platform announced, or undefined to go on. */
  const precheck = (input: ClipInput, limits: ClipLimits): ChatAnswer | undefined => {
    if (input.byteLength === 0) return reject('empty', MESSAGES.empty);
    if (input.byteLength !== undefined && input.byteLength > limits.maxBytes) {
      return reject('too-big', MESSAGES.tooBig(limits.maxBytes, input.byteLength));
    }
    if (input.durationS !== undefined && input.durationS > limits.maxDurationS) {
      return reject('too-long', MESSAGES.tooLong(limits.maxDurationS));
    }
    // Platforms announce whole seconds; a 0 means "unknown" as often as "empty".
    if (
      input.durationS !== undefined &&
      input.durationS > 0 &&
      input.durationS < limits.minDurationS - 0.5
    ) {
      return reject('too-short', MESSAGES.tooShort(limits.minDurationS));
    }
    if (isObviouslyNotAudio(input.mimeType, input.fileName)) {
      return reject('not-audio', MESSAGES.notAudio);
    }
    return undefined;
  };

  /** Maps an engine or download failure to its answer; logs what is not the user's doing. */
  const failure = (error: unknown, input: ClipInput, limits: ClipLimits): ChatAnswer => {
    const e = toSynestheteError(error);
    switch (e.code) {
      case 'E_INPUT_EMPTY':
        return reject('empty', MESSAGES.empty);
      case 'E_INPUT_TOO_LARGE':
        return reject('too-big', MESSAGES.tooBig(limits.maxBytes));
      case 'E_INPUT_DURATION':
        return /short/i.test(e.message)
          ? reject('too-short', MESSAGES.tooShort(limits.minDurationS))
          : reject('too-long', MESSAGES.tooLong(limits.maxDurationS));
      case 'E_DECODE':
      case 'E_DECODE_TIMEOUT':
        return reject('unreadable', MESSAGES.unreadable);
      case 'E_EMPTY_CATALOG':
        log(`[chat] ${e.code}: ${e.message}`);
        return { kind: 'error', text: MESSAGES.emptyCatalog };
      default: {
        const cause = e.cause instanceof Error ? (e.cause.stack ?? e.cause.message) : '';
        log(
          `[chat] ${input.platform} ${input.kind} clip failed: ${e.code}: ${e.message}${cause ? `\n${cause}` : ''}`,
        );
        return { kind: 'error', text: MESSAGES.error };
      }
    }
  };

  /** Download, analyse, answer: runs inside a queue slot. */
  const analyse = async (input: ClipInput, limits: ClipLimits): Promise<ChatAnswer> => {
    let bytes: Uint8Array | PcmAudio;
    try {
      bytes = input.readPcm ? await input.readPcm() : await input.read();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`[chat] ${input.platform} download failed: ${message}`);
      return reject('unreadable', MESSAGES.unreadable);
    }
    const byteLength = bytes instanceof Uint8Array ? bytes.byteLength : bytes.pcm.byteLength;
    if (byteLength === 0) return reject('empty', MESSAGES.empty);
    if (byteLength > limits.maxBytes) {
      return reject('too-big', MESSAGES.tooBig(limits.maxBytes, byteLength));
    }
    const feedback = await votesOf(input.conversation);
    try {
      const result = await engine.recommend(bytes, {
        k: RESULTS_PER_ANSWER,
        feedback,
        ...(input.filter ? { filter: input.filter } : {}),
        analyze: {
          maxBytes: limits.maxBytes,
          maxDurationS: limits.maxDurationS,
          minDurationS: Math.max(0, limits.minDurationS - 0.5),
          ...(input.fileName ? { name: path.basename(input.fileName) } : {}),
        },
      });
      if (result.music && !result.music.isMusic) {
        return reject('not-music', MESSAGES.notMusic(result.music.reason === 'silence'));
      }
      let spectrogramPng: Uint8Array | undefined;
      if (options.spectrogram !== false) {
        try {
          spectrogramPng = renderSpectrogramPng(result.query.spectrogram);
        } catch (error) {
          log(`[chat] spectrogram picture failed: ${String(error)}`);
        }
      }
      if (result.seed) {
        const remembered = seeds.recent(input.conversation).length;
        seeds.remember(input.conversation, {
          vector: result.seed.vector,
          ...(result.seed.trackId !== undefined ? { trackId: result.seed.trackId } : {}),
          name: result.match
            ? trackLabel(result.match)
            : input.fileName
              ? readableFileName(input.fileName)
              : `clip ${remembered + 1}`,
        });
      }
      const match: MatchItem | undefined = result.match
        ? {
            trackId: result.match.trackId,
            label: trackLabel(result.match),
            score: result.match.score,
          }
        : undefined;
      return remember(
        input.conversation,
        {
          kind: 'results',
          answerId: randomUUID(),
          ...(match ? { match } : {}),
          summary: withFilter(summaryWithTags(result.query.summary, result.tags), input.filter),
          results: resultItems(result.recommendations, result.match ? [result.match] : []),
          feedbackApplied: hasVotes(feedback),
          ...(spectrogramPng ? { spectrogramPng } : {}),
        },
        match
          ? { label: MESSAGES.mapClipIs(match.label), ownTrackId: match.trackId }
          : { label: MESSAGES.mapClip },
      );
    } catch (error) {
      return failure(error, input, limits);
    }
  };

  /** A track's label, or undefined when it is not in the catalogue. */
  const labelOf = async (trackId: number): Promise<string | undefined> => {
    const track = await engine.catalog.getTrack(trackId);
    return track ? trackLabel(track) : undefined;
  };

  return {
    async handleClip(input) {
      try {
        const limits = limitsFor(input.platform);
        const refused = precheck(input, limits);
        if (refused) return refused;
        const key = `${input.platform}:${input.user}`;
        const decision = await limiter.take(key);
        if (!decision.ok) {
          const retryAfterS = Math.max(1, Math.ceil(decision.retryAfterS));
          return { kind: 'rate-limited', text: MESSAGES.rateLimited(retryAfterS), retryAfterS };
        }
        const job = queue.tryRun(() => analyse(input, limits));
        if (!job) {
          await limiter.refund(key);
          return { kind: 'busy', text: MESSAGES.busy };
        }
        return await job;
      } catch (error) {
        log(
          `[chat] unexpected: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
        );
        return { kind: 'error', text: MESSAGES.error };
      }
    },

    async vote(conversation: string, _user: string, trackId: number, vote: Vote) {
      try {
        const label = await labelOf(trackId);
        if (label === undefined) return { kind: 'error', text: MESSAGES.unknownTrack };
        await state.recordVote(conversation, trackId, vote === 'down' ? 'down' : 'up');
        if (vote === 'up') return { kind: 'ack', text: MESSAGES.likedAck(label) };
        if (vote === 'down') return { kind: 'ack', text: MESSAGES.dislikedAck(label) };
        const feedback = await votesOf(conversation);
        const similar = await engine.similar(trackId, { k: RESULTS_PER_ANSWER, feedback });
        return remember(
          conversation,
          {
            kind: 'results',
            answerId: randomUUID(),
            heading: MESSAGES.moreHeading(label),
            summary: '',
            results: resultItems(similar.recommendations, [similar.track]),
            // The track asked about is itself the only like: nothing else re-ranked the list.
            feedbackApplied: feedback.liked.length + feedback.disliked.length > 1,
          },
          { label, ownTrackId: trackId },
        );
      } catch (error) {
        const e = toSynestheteError(error);
        if (e.code === 'E_NOT_FOUND') return { kind: 'error', text: MESSAGES.unknownTrack };
        log(`[chat] vote ${vote} on track ${trackId} failed: ${e.code}: ${e.message}`);
        return { kind: 'error', text: MESSAGES.error };
      }
    },

    async mix(conversation) {
      const recent = seeds.recent(conversation);
      if (recent.length < 2 || !engine.recommendSet) {
        return { kind: 'ack', text: MESSAGES.mixNeedsClips };
      }
      try {
        const feedback = await votesOf(conversation);
        const answer = await engine.recommendSet(
          recent.map((s) =>
            s.vector
              ? {
                  vector: s.vector,
                  name: s.name,
                  ...(s.trackId !== undefined ? { trackId: s.trackId } : {}),
                }
              : { track: s.trackId ?? 0 },
          ),
          { k: RESULTS_PER_ANSWER, feedback },
        );
        return remember(
          conversation,
          {
            kind: 'results',
            answerId: randomUUID(),
            heading: MESSAGES.mixHeading(recent.map((s) => s.name)),
            summary: summaryWithTags('', answer.tags).replace(/^ · /, ''),
            results: resultItems(
              answer.recommendations,
              answer.seeds.flatMap((s) => (s.track ? [s.track] : [])),
            ),
            feedbackApplied: hasVotes(feedback),
          },
          { label: MESSAGES.mapMix },
        );
      } catch (error) {
        const e = toSynestheteError(error);
        log(`[chat] mix failed: ${e.code}: ${e.message}`);
        return { kind: 'error', text: MESSAGES.error };
      }
    },

    async addToMix(conversation, trackId) {
      try {
        const label = await labelOf(trackId);
        if (label === undefined) return { kind: 'error', text: MESSAGES.unknownTrack };
        seeds.remember(conversation, { trackId, name: label });
        return { kind: 'ack', text: MESSAGES.addedToMix(label, seeds.recent(conversation).length) };
      } catch (error) {
        log(
          `[chat] adding track ${trackId} to the mix failed: ${toSynestheteError(error).message}`,
        );
        return { kind: 'error', text: MESSAGES.error };
      }
    },

    async similarTrack(conversation, trackId, filter) {
      try {
        const feedback = await votesOf(conversation);
        const similar = await engine.similar(trackId, {
          k: RESULTS_PER_ANSWER,
          feedback,
          ...(filter ? { filter } : {}),
        });
        const label = trackLabel(similar.track);
        return remember(
          conversation,
          {
            kind: 'results',
            answerId: randomUUID(),
            heading: MESSAGES.moreHeading(label),
            summary: withFilter('', filter),
            results: resultItems(similar.recommendations, [similar.track]),
            feedbackApplied: hasVotes(feedback),
          },
          { label, ownTrackId: similar.track.trackId },
        );
      } catch (error) {
        const e = toSynestheteError(error);
        if (e.code === 'E_NOT_FOUND') return { kind: 'error', text: MESSAGES.unknownTrack };
        if (e.code === 'E_EMPTY_CATALOG') return { kind: 'error', text: MESSAGES.emptyCatalog };
        log(`[chat] similar to track ${trackId} failed: ${e.code}: ${e.message}`);
        return { kind: 'error', text: MESSAGES.error };
      }
    },

    async mapPicture(conversation, answerId): Promise<PictureAnswer> {
      return mapFor(conversation, answerId, async (map, mark) => ({
        kind: 'picture' as const,
        png: await maps.png(map, mark),
        fileName: 'map.png',
        caption: MESSAGES.mapCaption(
          map.tracks.length,
          mark?.label,
          MAP_LEGENDS[map.colouring].title,
        ),
        alt: MESSAGES.mapAlt(MAP_LEGENDS[map.colouring].title),
      }));
    },

    async prepareMap() {
      if (!maps.available) return;
      try {
        await maps.current();
      } catch (error) {
        if (!(error instanceof MapTooSmallError)) {
          log(`[chat] preparing the map failed: ${toSynestheteError(error).message}`);
        }
      }
    },

    async mapView(conversation, answerId): Promise<MapViewAnswer> {
      return mapFor(conversation, answerId, async (map, mark) => maps.view(map, mark));
    },

    async forget(conversation) {
      seeds.forget(conversation);
      try {
        await state.forget(conversation);
        return MESSAGES.forgotten;
      } catch (error) {
        log(`[chat] forget failed: ${toSynestheteError(error).message}`);
        return MESSAGES.error;
      }
    },

    async claimOnce(key, ttlS) {
      try {
        return await state.claimOnce(key, ttlS);
      } catch (error) {
        // Answering twice is better than not at all.
        log(`[chat] recording a handled event failed: ${toSynestheteError(error).message}`);
        return true;
      }
    },

    helpText(platform) {
      const limits = limitsFor(platform);
      return helpMessage(platform, limits.maxBytes, limits.minDurationS, limits.maxDurationS);
    },

    async trackAudioPath(trackId) {
      try {
        const track = await engine.catalog.getTrack(trackId);
        if (!track || !path.isAbsolute(track.sourcePath)) return undefined;
        await access(track.sourcePath);
        return track.sourcePath;
      } catch {
        return undefined;
      }
    },

    drain() {
      return queue.drain();
    },
  };
}
