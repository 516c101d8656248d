/**
 * The extractor of stripe-node's generated examples (scripts/extract-stripe-examples.ts) keeps the
 * SDK call and its literal arguments, drops free-text values, and refuses anything it cannot read
 * as plain data. The input below is written in the examples file's shape, not taken from it.
 */
import { describe, expect, it } from 'vitest';
import { extractExamples } from '../../scripts/extract-stripe-examples.ts';

const wrap = (body: string) => `'use strict';
const stripe = makeClient();
describe('Generated tests', function() {
${body}
});
`;

describe('extractExamples', () => {
  it('keeps each example’s call and literal arguments', () => {
    const examples = extractExamples(
      wrap(`  it('test_widgets_post', async function() {
    const widget = await stripe.testHelpers.widgets.update('wdg_xxxxxxxxxxxxx', {
      size: -3, enabled: true, tags: ['a', "b"], note: null, description: 'Some words here',
      'nested': { count: 2 },
    });
    expect(widget).not.to.be.null;
  });
  it('test_widgets_get', async function() {
    const widgets = await stripe.widgets.list();
    expect(widgets).not.to.be.null;
  });`),
    );
    expect(examples).toEqual([
      {
        name: 'test_widgets_post',
        call: 'testHelpers.widgets.update',
        args: [
          'wdg_xxxxxxxxxxxxx',
          {
            size: -3,
            enabled: true,
            tags: ['a', 'b'],
            note: null,
            description: 'text',
            nested: { count: 2 },
          },
        ],
      },
      { name: 'test_widgets_get', call: 'widgets.list', args: [] },
    ]);
  });

  it('refuses an example it cannot read as data', () => {
    expect(() =>
      extractExamples(
        wrap(`  it('test_x', async function() { await stripe.x.create({ a: someVariable }); });`),
      ),
    ).toThrow(/not a literal: someVariable/);
    expect(() =>
      extractExamples(wrap(`  it('test_y', async function() { expect(1).to.equal(1); });`)),
    ).toThrow(/test_y: expected one SDK call, found 0/);
  });
});
