/**
 * The clips a conversation sent last, kept as seeds for `/mix`: each one's catalogue-space vector
 * (and the catalogue track it was identified as, if any) and a name to show — never its audio.
 * Kept in this process's memory, bounded in seeds per conversation and in conversations.
 *
 * @module
 */

/** One remembered clip, or a catalogue track the user picked for the mix. */
export interface RememberedSeed {
  /** The vector the clip's answer was searched with (core's `Recommendation.seed`); absent for a picked track. */
  readonly vector?: Float32Array;
  /** The catalogue track the clip was identified as, or the picked track. */
  readonly trackId?: number;
  /** What to call it in the answer: the match's name, the file name, or "clip N". */
  readonly name: string;
}

/** Per-conversation memory of the last clips. */
export interface SeedMemory {
  /** Adds a clip's seed; the conversation keeps its `perConversation` most recent. */
  remember(conversation: string, seed: RememberedSeed): void;
  /** The conversation's remembered seeds, oldest first (empty for an unknown conversation). */
  recent(conversation: string): readonly RememberedSeed[];
  /** Forgets a conversation's seeds. */
  forget(conversation: string): void;
}

/**
 * Creates an in-memory {@link SeedMemory}.
 *
 * @param options - `perConversation` seeds kept (default 3), `conversations` kept, least
 *   recently used dropped first (default 10,000)
 * @throws RangeError when a bound is not an integer ≥ 1
 */
export function memorySeeds(
  options: { perConversation?: number; conversations?: number } = {},
): SeedMemory {
  const per = options.perConversation ?? 3;
  const max = options.conversations ?? 10_000;
  if (!Number.isInteger(per) || per < 1 || !Number.isInteger(max) || max < 1) {
    throw new RangeError('seed memory bounds must be integers ≥ 1');
  }
  const byConversation = new Map<string, RememberedSeed[]>();
  return {
    remember(conversation, seed) {
      const list = byConversation.get(conversation) ?? [];
      byConversation.delete(conversation);
      byConversation.set(conversation, [...list, seed].slice(-per));
      while (byConversation.size > max) {
        const oldest = byConversation.keys().next().value as string;
        byConversation.delete(oldest);
      }
    },
    recent(conversation) {
      return byConversation.get(conversation) ?? [];
    },
    forget(conversation) {
      byConversation.delete(conversation);
    },
  };
}
