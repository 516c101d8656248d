/**
 * The API version lives in one place (src/spec/stripe.ts): it is the spec's `info.version`, the
 * model records the same, and the REST client pins every request to it.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/spec/model.ts';
import { loadSpec } from '../../src/spec/source.ts';
import { STRIPE_API_VERSION } from '../../src/spec/stripe.ts';

describe('the Stripe API version', () => {
  it('is the spec package’s, and the generated model’s', () => {
    const { spec } = loadSpec(import.meta.url, { overlay: false });
    expect((spec as { info: { version: string } }).info.version).toBe(STRIPE_API_VERSION);
    expect(loadModel().apiVersion).toBe(STRIPE_API_VERSION);
  });
});
