/**
 * The customer scope's tables fail closed: every resource, property and write they name must be in
 * the model, or the policy (built when the gateway starts) refuses to start.
 */
import { describe, expect, it } from 'vitest';
import { createScopePolicy, staleScopeEntries } from '../../src/loaders/scope.ts';
import { loadModel } from '../../src/spec/model.ts';
import { indexResources } from '../../src/spec/resources.ts';
import type { Model } from '../../src/spec/types.ts';

const model = loadModel();

/** The model with one object schema renamed and one operation moved, as a spec bump could. */
function drifted(): Model {
  const { review, ...objects } = model.objects;
  return {
    ...model,
    objects: { ...objects, 'radar.review': { ...review!, name: 'radar.review' } },
    operations: model.operations.map((op) =>
      op.method === 'post' && op.path === '/v1/setup_intents' ? { ...op, path: '/v2/setup_intents' } : op,
    ),
  };
}

describe('the scope tables', () => {
  it('all name what the model has today', () => {
    expect(staleScopeEntries(model)).toEqual([]);
    expect(() => createScopePolicy(model, indexResources(model))).not.toThrow();
  });

  it('stop the gateway from starting when an entry goes stale', () => {
    const stale = drifted();
    expect(staleScopeEntries(stale)).toEqual(['MERCHANT_ONLY review', 'WRITE_RULES POST /v1/setup_intents']);
    expect(() => createScopePolicy(stale, indexResources(stale))).toThrow(/MERCHANT_ONLY review/);
  });
});
