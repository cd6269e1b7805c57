/** The per-index cache of track rows behind repeated answers. */
import { describe, expect, it } from 'vitest';
import { IndexScopedCache } from '../../core/recommend/scoped-cache.js';

describe('IndexScopedCache', () => {
  const source = new Map([1, 2, 3, 4, 5].map((id) => [id, `track ${id}`]));
  const reader = () => {
    const asked: number[][] = [];
    const fetch = async (missing: readonly number[]) => {
      asked.push([...missing]);
      return new Map(missing.filter((id) => source.has(id)).map((id) => [id, source.get(id)!]));
    };
    return { asked, fetch };
  };

  it('reads each id once per owner, answers in the order asked, and leaves out ids not found', async () => {
    const cache = new IndexScopedCache<string>(10);
    const { asked, fetch } = reader();
    const owner = {};
    const first = await cache.get([3, 1, 9, 3], owner, fetch);
    expect([...first.keys()]).toEqual([3, 1]);
    expect(first.get(1)).toBe('track 1');
    const second = await cache.get([2, 3, 1], owner, fetch);
    expect([...second.keys()]).toEqual([2, 3, 1]);
    expect(asked).toEqual([[3, 1, 9], [2]]);
    // A new owner (new indexes after the catalogue changed) starts empty.
    await cache.get([1], {}, fetch);
    expect(asked.at(-1)).toEqual([1]);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const cache = new IndexScopedCache<string>(2);
    const { asked, fetch } = reader();
    const owner = {};
    await cache.get([1, 2], owner, fetch);
    await cache.get([1], owner, fetch); // 1 is now the most recent
    await cache.get([3], owner, fetch); // drops 2
    await cache.get([1, 2], owner, fetch);
    expect(asked).toEqual([[1, 2], [3], [2]]);
  });

  it('does not keep what was read for an owner replaced meanwhile', async () => {
    const cache = new IndexScopedCache<string>(10);
    const { asked, fetch } = reader();
    const pending = cache.get([4], {}, fetch);
    const replacement = {};
    await cache.get([5], replacement, fetch); // the indexes changed while 4 was being read
    expect((await pending).get(4)).toBe('track 4');
    await cache.get([4, 5], replacement, fetch);
    expect(asked).toEqual([[4], [5], [4]]);
  });
});
