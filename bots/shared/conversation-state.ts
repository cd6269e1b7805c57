/**
 * Where conversation state lives (after grammY's `StorageAdapter`): each conversation's 👍/👎 and
 * the keys of platform events already handled. {@link memoryState} keeps them in this process
 * (tests, a single throw-away process); {@link catalogState} keeps them in the catalogue's
 * database, so that every instance serving the chats answers a conversation the same way and a
 * vote survives a restart. Nothing about a user but votes is stored.
 */
import { FeedbackStore, type FeedbackStoreOptions } from './feedback-store.js';
import type { ConversationStore, FeedbackVotes } from './recommender-port.js';

/** Conversation state as the chat service uses it. */
export interface ConversationState {
  /** Where it lives, for the start-up log ("memory", "catalogue database"). */
  readonly description: string;
  /**
   * Records a vote, replacing an earlier one on the same track.
   *
   * @throws whatever the storage throws (SynestheteError `E_CATALOG` for the database)
   */
  recordVote(conversation: string, trackId: number, vote: 'up' | 'down'): Promise<void>;
  /** The conversation's votes, oldest first. @throws as {@link recordVote} */
  votes(conversation: string): Promise<FeedbackVotes>;
  /** Deletes the conversation's votes. @throws as {@link recordVote} */
  forget(conversation: string): Promise<void>;
  /**
   * Claims an event key for `ttlS` seconds.
   *
   * @returns true for the first claim (in any process sharing the storage), false after
   * @throws as {@link recordVote}
   */
  claimOnce(key: string, ttlS: number): Promise<boolean>;
}

/**
 * State in this process's memory, bounded (see {@link FeedbackStore}); lost at exit.
 *
 * @param options - vote store bounds
 * @param now - clock in ms for event keys (default `Date.now`)
 */
export function memoryState(
  options: FeedbackStoreOptions = {},
  now: () => number = Date.now,
): ConversationState {
  const store = new FeedbackStore(options);
  const claimed = new Map<string, number>();
  const MAX_KEYS = 10_000;
  return {
    description: 'memory (this process only)',
    async recordVote(conversation, trackId, vote) {
      store.record(conversation, trackId, vote);
    },
    async votes(conversation) {
      return store.votes(conversation);
    },
    async forget(conversation) {
      store.forget(conversation);
    },
    async claimOnce(key, ttlS) {
      const t = now();
      for (const [k, expires] of claimed) {
        if (expires > t && claimed.size < MAX_KEYS) break;
        claimed.delete(k);
      }
      const expires = claimed.get(key);
      if (expires !== undefined && expires > t) return false;
      claimed.delete(key);
      claimed.set(key, t + ttlS * 1000);
      return true;
    },
  };
}

/**
 * State in the catalogue's database (tables `conversation_votes` and `seen_events`), shared by
 * every process on the same catalogue.
 *
 * @param store - the catalogue's conversation store (`engine.catalog.conversations`)
 * @param options - `maxVotesPerConversation` (default 50)
 */
export function catalogState(
  store: ConversationStore,
  options: Pick<FeedbackStoreOptions, 'maxVotesPerConversation'> = {},
): ConversationState {
  const maxVotes = Math.max(1, options.maxVotesPerConversation ?? 50);
  return {
    description: 'catalogue database (shared by every instance)',
    recordVote: (conversation, trackId, vote) =>
      store.recordVote(conversation, trackId, vote, maxVotes),
    votes: (conversation) => store.votes(conversation),
    async forget(conversation) {
      await store.forget(conversation);
    },
    claimOnce: (key, ttlS) => store.claimOnce(key, ttlS),
  };
}
