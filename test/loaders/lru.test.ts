/** The bounded map behind the caches of documents, programs and plans (src/loaders/lru.ts). */
import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/loaders/lru.ts';

describe('Lru', () => {
  it('forgets the least recently used entry past its size; get refreshes, has does not', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.has('a')).toBe(true);
    // `has` left `a` the oldest: the next entry forgets it.
    lru.set('d', 4);
    expect(lru.has('a')).toBe(false);
    expect([lru.get('c'), lru.get('d'), lru.size]).toEqual([3, 4, 2]);
    // Setting a kept key again refreshes it rather than adding one.
    lru.set('c', 30);
    lru.set('e', 5);
    expect([lru.get('c'), lru.has('d'), lru.size]).toEqual([30, false, 2]);
  });
});
