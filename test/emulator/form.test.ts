/** Stripe's bracket form encoding and parameter validation, without a server. */
import { describe, expect, it } from 'vitest';
import type { ErrorReply } from '../../src/emulator/engine/errors.ts';
import { decodeForm, decodeMultipart, FormError } from '../../src/emulator/request/form.ts';
import { validateParams } from '../../src/emulator/request/validate.ts';
import type { InParam } from '../../src/spec/types.ts';

describe('decodeForm', () => {
  it('nests brackets and keeps arrays as index-keyed hashes', () => {
    expect(decodeForm('a[b][c]=v&items[0][price]=p&items[0][quantity]=2&items[1][price]=q')).toEqual({
      a: { b: { c: 'v' } },
      items: { 0: { price: 'p', quantity: '2' }, 1: { price: 'q' } },
    });
  });

  it('appends with [] and starts a new element when a key repeats', () => {
    expect(decodeForm('expand[]=x&expand[]=y')).toEqual({ expand: { 0: 'x', 1: 'y' } });
    expect(decodeForm('items[][price]=a&items[][quantity]=1&items[][price]=b')).toEqual({
      items: { 0: { price: 'a', quantity: '1' }, 1: { price: 'b' } },
    });
  });

  it('decodes percent-encoding and plus signs, keeps empty values, last value wins', () => {
    expect(decodeForm('name=Jenny+Rosen&email=j%40example.com&metadata=&name2=%5B%5D&x=1&x=2')).toEqual({
      name: 'Jenny Rosen',
      email: 'j@example.com',
      metadata: '',
      name2: '[]',
      x: '2',
    });
    expect(decodeForm('metadata%5Bkey%5D=v')).toEqual({ metadata: { key: 'v' } });
  });

  it('rejects malformed input', () => {
    expect(() => decodeForm('a=%zz')).toThrow(FormError);
    expect(() => decodeForm('a=1&a[b]=2')).toThrow(FormError);
    expect(() => decodeForm('a[b]=1&a=2')).toThrow(FormError);
    expect(() => decodeForm('a[b=1')).toThrow(FormError);
    expect(() => decodeForm('[a]=1')).toThrow(FormError);
  });

  it('reads multipart bodies', () => {
    const body = Buffer.from(
      '--XX\r\nContent-Disposition: form-data; name="purpose"\r\n\r\ndispute_evidence\r\n' +
        '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n',
    );
    expect(decodeMultipart(body, 'multipart/form-data; boundary=XX')).toEqual({
      fields: { purpose: 'dispute_evidence', file: 'hello' },
      files: { file: { filename: 'a.txt', contentType: 'text/plain', size: 5 } },
    });
  });
});

describe('validateParams', () => {
  const params: InParam[] = [
    { name: 'amount', required: true, type: { k: 'int' } },
    { name: 'capture', required: false, type: { k: 'bool' } },
    { name: 'rate', required: false, type: { k: 'float' } },
    {
      name: 'metadata',
      required: false,
      type: { k: 'anyOf', of: [{ k: 'json' }, { k: 'enum', values: [''] }] },
    },
    { name: 'tags', required: false, type: { k: 'array', of: { k: 'string', maxLength: 5 } } },
    {
      name: 'items',
      required: false,
      type: {
        k: 'array',
        of: {
          k: 'object',
          additional: false,
          props: [{ name: 'price', required: true, type: { k: 'string' } }],
        },
      },
    },
    { name: 'mode', required: false, type: { k: 'enum', values: ['a', 'b'] } },
  ];
  const error = (input: Record<string, unknown>) => {
    try {
      validateParams(input as never, params, true);
    } catch (e) {
      return (e as ErrorReply).body().error;
    }
    throw new Error('expected an error');
  };

  it('coerces strings to their types and index hashes to arrays', () => {
    expect(
      validateParams(
        {
          amount: '100',
          capture: 'false',
          rate: '1.5',
          tags: { 1: 'b', 0: 'a' },
          items: { 0: { price: 'p' } },
          expand: { 0: 'x' },
        },
        params,
        true,
      ),
    ).toEqual({
      params: { amount: 100, capture: false, rate: 1.5, tags: ['a', 'b'], items: [{ price: 'p' }] },
      expand: ['x'],
    });
  });

  it('keeps empty strings where they unset', () => {
    expect(validateParams({ amount: '1', metadata: '' }, params, false).params.metadata).toBe('');
    expect(validateParams({ amount: '1', metadata: { a: '' } }, params, false).params.metadata).toEqual({
      a: '',
    });
  });

  it('reports the parameter at fault, nested ones with brackets', () => {
    expect(error({ amount: 'x' })).toMatchObject({
      code: 'parameter_invalid_integer',
      param: 'amount',
      message: 'Invalid integer: x',
    });
    expect(error({})).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    expect(error({ amount: '1', items: { 0: {} } })).toMatchObject({
      code: 'parameter_missing',
      param: 'items[0][price]',
    });
    expect(error({ amount: '1', items: { 0: { price: 'p', colour: 'red' } } })).toMatchObject({
      code: 'parameter_unknown',
      param: 'items[0][colour]',
    });
    expect(error({ amount: '1', tags: { 0: 'toolong' } })).toMatchObject({ param: 'tags[0]' });
    expect(error({ amount: '1', mode: 'c' })).toMatchObject({ message: 'Invalid mode: must be one of a, b' });
    expect(error({ amount: '1', capture: '' })).toMatchObject({
      code: 'parameter_invalid_empty',
      param: 'capture',
    });
    expect(error({ amount: '1', tags: 'x' })).toMatchObject({ message: 'Invalid array', param: 'tags' });
    expect(error({ amount: '1', expand: 'x' })).toMatchObject({ message: 'Invalid array', param: 'expand' });
  });
});
