/** Path templates are read and filled by src/spec/paths.ts alone; its rules, checked on the model's own templates. */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/spec/model.ts';
import {
  blankParams,
  endsWithParam,
  fillPath,
  namedParams,
  paramNames,
  parentPath,
  withoutTestHelpers,
} from '../../src/spec/paths.ts';

describe('path templates', () => {
  const template = '/v1/customers/{customer}/sources/{id}';

  it('fill parameters in template order, URL-encoded', () => {
    expect(paramNames(template)).toEqual(['customer', 'id']);
    expect(fillPath(template, ['cus_1', 'card 2/x'])).toBe('/v1/customers/cus_1/sources/card%202%2Fx');
    expect(namedParams(template, ['cus_1', 'card_2'])).toEqual({ customer: 'cus_1', id: 'card_2' });
    // A missing value fills in empty; parameters side by side and at either end.
    expect(fillPath(template, ['cus_1'])).toBe('/v1/customers/cus_1/sources/');
    expect(paramNames('{a}{b}/x/{c}')).toEqual(['a', 'b', 'c']);
    expect(fillPath('{a}{b}/x/{c}', ['1', '2', '3?'])).toBe('12/x/3%3F');
    expect(namedParams('/v1/x', [])).toEqual({});
  });

  it('compare structurally and walk up', () => {
    expect(blankParams(template)).toBe(blankParams('/v1/customers/{c}/sources/{source}'));
    expect(parentPath(template)).toBe('/v1/customers/{customer}/sources');
    expect(withoutTestHelpers('/v1/test_helpers/issuing/cards/{card}/shipping/deliver')).toBe(
      '/v1/issuing/cards/{card}/shipping/deliver',
    );
  });

  it('agree with the model: a retrieve, update or delete is a singleton exactly when no id ends its path', () => {
    const addressed = loadModel().operations.filter((op) =>
      ['retrieve', 'update', 'delete'].includes(op.kind),
    );
    expect(addressed.length).toBeGreaterThan(0);
    for (const op of addressed)
      expect([op.path, Boolean(op.singleton)]).toEqual([op.path, !endsWithParam(op.path)]);
    for (const op of loadModel().operations) expect(paramNames(op.path)).toEqual(op.pathParams);
  });
});
