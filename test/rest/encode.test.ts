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

  it('encodes every ASCII character as qs does, plain ids and numbers as they are', () => {
    // qs's rule: encodeURIComponent, then `!'()*` escaped too; brackets are kept literal.
    const qs = (text: string) =>
      encodeURIComponent(text)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%5B/g, '[')
        .replace(/%5D/g, ']');
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      expect(encodeForm({ [`k${c}`]: `v${c}`, w: `${c}é` })).toBe(
        `${qs(`k${c}`)}=${qs(`v${c}`)}&w=${qs(`${c}é`)}`,
      );
    }
    expect(encodeForm({ customer: 'cus_Q1a-2.b~', limit: 10, expand: ['data.customer'] })).toBe(
      'customer=cus_Q1a-2.b~&limit=10&expand[0]=data.customer',
    );
  });
});
