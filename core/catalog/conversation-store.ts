/**
 * {@link ConversationStore} on the catalogue's database (tables `conversation_votes` and
 * `seen_events`, schema.ts), shared by every process that opens the same catalogue.
 *
 * @module
 */

import { and, asc, desc, eq, lt, notInArray, sql } from 'drizzle-orm';
import type { CatalogDb } from './db.js';
import { conversationVotes, seenEvents } from './schema.js';
import type { ConversationStore, Vote } from './types.js';

/** Expired `seen_events` rows are deleted on every this many claims. */
const SWEEP_EVERY = 200;

/**
 * Creates the store.
 *
 * @param db - the catalogue's database
 * @param guard - runs one operation, turning a database failure into `E_CATALOG` (the repository's)
 * @returns the store; its methods throw what `guard` throws
 */
export function createConversationStore(
  db: CatalogDb,
  guard: <T>(what: string, run: () => Promise<T>) => Promise<T>,
): ConversationStore {
  let claims = 0;
  return {
    recordVote(conversation: string, trackId: number, vote: Vote, maxVotes: number) {
      return guard('record a vote', async () => {
        await db
          .insert(conversationVotes)
          .values({
            conversation,
            trackId,
            vote: vote === 'up' ? 1 : -1,
            votedAt: sql`clock_timestamp()`,
          })
          .onConflictDoUpdate({
            target: [conversationVotes.conversation, conversationVotes.trackId],
            set: { vote: sql`excluded.vote`, votedAt: sql`clock_timestamp()` },
          });
        const keep = db
          .select({ trackId: conversationVotes.trackId })
          .from(conversationVotes)
          .where(eq(conversationVotes.conversation, conversation))
          .orderBy(desc(conversationVotes.votedAt))
          .limit(Math.max(1, Math.floor(maxVotes)));
        await db
          .delete(conversationVotes)
          .where(
            and(
              eq(conversationVotes.conversation, conversation),
              notInArray(conversationVotes.trackId, keep),
            ),
          );
      });
    },
    votes(conversation: string) {
      return guard('read votes', async () => {
        const rows = await db
          .select({ trackId: conversationVotes.trackId, vote: conversationVotes.vote })
          .from(conversationVotes)
          .where(eq(conversationVotes.conversation, conversation))
          .orderBy(asc(conversationVotes.votedAt));
        const liked: number[] = [];
        const disliked: number[] = [];
        for (const row of rows) (row.vote > 0 ? liked : disliked).push(row.trackId);
        return { liked, disliked };
      });
    },
    forget(conversation: string) {
      return guard('forget votes', async () => {
        const rows = await db
          .delete(conversationVotes)
          .where(eq(conversationVotes.conversation, conversation))
          .returning({ trackId: conversationVotes.trackId });
        return rows.length > 0;
      });
    },
    claimOnce(key: string, ttlS: number) {
      return guard('record a handled event', async () => {
        if (++claims % SWEEP_EVERY === 0) {
          await db.delete(seenEvents).where(lt(seenEvents.expiresAt, sql`now()`));
        }
        const expiresAt = sql`now() + make_interval(secs => ${Math.max(1, ttlS)})`;
        // Inserted, or taken over from an expired row: either way this caller is the first.
        const rows = await db
          .insert(seenEvents)
          .values({ key, expiresAt })
          .onConflictDoUpdate({
            target: seenEvents.key,
            set: { expiresAt },
            setWhere: lt(seenEvents.expiresAt, sql`now()`),
          })
          .returning({ key: seenEvents.key });
        return rows.length > 0;
      });
    },
  };
}
