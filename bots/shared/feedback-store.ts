/**
 * Each conversation's 👍/👎, in memory only (no audio, no user ids): a bounded number of
 * conversations, least recently used forgotten first, and a bounded number of votes in each
 * (oldest forgotten first). A later vote on a track replaces the earlier one.
 */
import type { FeedbackVotes } from './recommender-port.js';

/** A stored vote: 👍 (or "more like this") or 👎. */
export type StoredVote = 'up' | 'down';

/** Options of {@link FeedbackStore}. */
export interface FeedbackStoreOptions {
  /** Conversations kept (integer ≥ 1, default 10,000). */
  readonly maxConversations?: number | undefined;
  /** Votes kept per conversation (integer ≥ 1, default 50). */
  readonly maxVotesPerConversation?: number | undefined;
}

/** The store. */
export class FeedbackStore {
  readonly maxConversations: number;
  readonly maxVotesPerConversation: number;
  /** conversation → (track id → vote), both maps in least-recently-used-first order. */
  readonly #conversations = new Map<string, Map<number, StoredVote>>();

  /** @param options - bounds */
  constructor(options: FeedbackStoreOptions = {}) {
    this.maxConversations = Math.max(1, options.maxConversations ?? 10_000);
    this.maxVotesPerConversation = Math.max(1, options.maxVotesPerConversation ?? 50);
  }

  /**
   * Records a vote; replaces an earlier vote on the same track, marks the conversation most
   * recently used, and forgets the oldest vote / conversation beyond the bounds.
   *
   * @param conversation - platform-scoped conversation id
   * @param trackId - catalogue track id
   * @param vote - 'up' or 'down'
   */
  record(conversation: string, trackId: number, vote: StoredVote): void {
    let votes = this.#conversations.get(conversation);
    if (votes) this.#conversations.delete(conversation);
    else votes = new Map();
    this.#conversations.set(conversation, votes);
    votes.delete(trackId);
    votes.set(trackId, vote);
    for (const oldest of votes.keys()) {
      if (votes.size <= this.maxVotesPerConversation) break;
      votes.delete(oldest);
    }
    for (const oldest of this.#conversations.keys()) {
      if (this.#conversations.size <= this.maxConversations) break;
      this.#conversations.delete(oldest);
    }
  }

  /**
   * The conversation's votes as the engine takes them (and marks it most recently used).
   *
   * @returns liked and disliked track ids, oldest vote first; empty lists for an unknown conversation
   */
  votes(conversation: string): FeedbackVotes {
    const votes = this.#conversations.get(conversation);
    if (!votes) return { liked: [], disliked: [] };
    this.#conversations.delete(conversation);
    this.#conversations.set(conversation, votes);
    const liked: number[] = [];
    const disliked: number[] = [];
    for (const [id, vote] of votes) (vote === 'up' ? liked : disliked).push(id);
    return { liked, disliked };
  }

  /**
   * Forgets a conversation's votes.
   *
   * @returns true when there were any
   */
  forget(conversation: string): boolean {
    return this.#conversations.delete(conversation);
  }

  /** Conversations held. */
  get size(): number {
    return this.#conversations.size;
  }
}
