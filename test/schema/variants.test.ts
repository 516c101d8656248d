/** The per-variables memo of plans, estimates and prefetches (src/schema/variants.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_VARIABLES_JSON, VARIANTS_PER_OPERATION, Variants } from '../../src/schema/variants.ts';

describe('Variants', () => {
  it('makes a value once per operation and set of variables', () => {
    const variants = new Variants<number>();
    const [a, b] = [{}, {}];
    let made = 0;
    const make = () => ++made;
    expect(variants.get(a, { n: 1 }, make)).toBe(1);
    expect(variants.get(a, { n: 1 }, make)).toBe(1);
    expect(variants.get(a, { n: 2 }, make)).toBe(2);
    expect(variants.get(b, { n: 1 }, make)).toBe(3);
    expect(variants.get(a, undefined, make)).toBe(4);
    expect(variants.get(a, null, make)).toBe(4);
    expect(made).toBe(4);
  });

  it('forgets the least recently used set past the bound, and never keeps long variables', () => {
    const variants = new Variants<string>();
    const operation = {};
    for (let i = 0; i < VARIANTS_PER_OPERATION; i++) variants.get(operation, { i }, () => `v${i}`);
    // The first set, used again, stays; the second is the least recently used.
    variants.get(operation, { i: 0 }, () => 'again');
    variants.get(operation, { i: 'new' }, () => 'new');
    expect(variants.get(operation, { i: 0 }, () => 'again')).toBe('v0');
    expect(variants.get(operation, { i: 1 }, () => 'made again')).toBe('made again');
    const long = { ids: 'x'.repeat(MAX_VARIABLES_JSON) };
    let made = 0;
    variants.get(operation, long, () => String(++made));
    variants.get(operation, long, () => String(++made));
    expect(made).toBe(2);
  });
});
