/** `encodeForm` (src/rest/encode.ts); parity with the SDK over a socket is test/net/rest/encode.test.ts. */
import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/rest/encode.ts';

describe('encodeForm', () => {
  it('encodes nothing for absent or empty params', () => {
    expect(encodeForm(undefined)).toBe('');
    expect(encodeForm({})).toBe('');
    expect(encodeForm({ a: undefined, b: [], c: {} })).toBe('');
  });

  it('keeps brackets literal and escapes what qs escapes', () => {
    expect(encodeForm({ items: [{ price: 'p' }], q: "it's (a)*!" })).toBe(
      'items[0][price]=p&q=it%27s%20%28a%29%2A%21',
    );
  });

  it('writes null and empty string as key=', () => {
    expect(encodeForm({ a: null, b: '', metadata: { k: '' } })).toBe('a=&b=&metadata[k]=');
  });
});
