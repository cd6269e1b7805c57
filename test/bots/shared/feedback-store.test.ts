import { describe, expect, it } from 'vitest';
import { FeedbackStore } from '../../../bots/shared/feedback-store.js';

describe('FeedbackStore', () => {
  it('keeps votes per conversation; a later vote on a track replaces the earlier one', () => {
    const store = new FeedbackStore();
    store.record('c1', 10, 'up');
    store.record('c1', 11, 'down');
    store.record('c2', 12, 'down');
    expect(store.votes('c1')).toEqual({ liked: [10], disliked: [11] });
    store.record('c1', 10, 'down');
    expect(store.votes('c1')).toEqual({ liked: [], disliked: [11, 10] });
    expect(store.votes('c2')).toEqual({ liked: [], disliked: [12] });
    expect(store.votes('nobody')).toEqual({ liked: [], disliked: [] });
  });

  it('forget clears one conversation', () => {
    const store = new FeedbackStore();
    store.record('c1', 1, 'up');
    store.record('c2', 2, 'up');
    expect(store.forget('c1')).toBe(true);
    expect(store.forget('c1')).toBe(false);
    expect(store.votes('c1')).toEqual({ liked: [], disliked: [] });
    expect(store.votes('c2').liked).toEqual([2]);
  });

  it('evicts the least recently used conversation beyond the bound', () => {
    const store = new FeedbackStore({ maxConversations: 2 });
    store.record('a', 1, 'up');
    store.record('b', 2, 'up');
    store.votes('a'); // a is now more recent than b
    store.record('c', 3, 'up');
    expect(store.size).toBe(2);
    expect(store.votes('b')).toEqual({ liked: [], disliked: [] });
    expect(store.votes('a').liked).toEqual([1]);
    expect(store.votes('c').liked).toEqual([3]);
  });

  it('keeps at most maxVotesPerConversation votes, dropping the oldest', () => {
    const store = new FeedbackStore({ maxVotesPerConversation: 3 });
    for (let id = 1; id <= 5; id++) store.record('c', id, id % 2 ? 'up' : 'down');
    expect(store.votes('c')).toEqual({ liked: [3, 5], disliked: [4] });
  });
});
