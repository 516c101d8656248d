/**
 * Parameters stripe-node 15.3.0 declares and the spec (API 2024-04-10) lacks, added to the model
 * (src/spec/widenings.ts): the emulator takes them as the SDK sends them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulatorHarness } from './helpers.ts';

const h = await startEmulatorHarness();
const { stripe } = h;
afterAll(() => h.close());

describe('parameters the SDK declares beyond the spec', () => {
  it('`validate` on a customer and on its source is taken, and shows nowhere', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa', validate: false });
    expect(customer).not.toHaveProperty('validate');
    const updated = await stripe.customers.update(customer.id, { validate: true, name: 'Jenny' });
    expect(updated.name).toBe('Jenny');
    const card = await stripe.customers.createSource(customer.id, {
      source: 'tok_mastercard',
      validate: false,
    });
    expect(card).toMatchObject({ object: 'card', customer: customer.id });
    await expect(stripe.customers.create({ validate: 'no' as never })).rejects.toMatchObject({
      statusCode: 400,
      param: 'validate',
    });
  });

  it("a verification session's email and phone options are set, updated and unset", async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { email: { require_verification: true } },
    });
    expect(session.options).toMatchObject({ email: { require_verification: true } });
    const updated = await stripe.identity.verificationSessions.update(session.id, {
      options: { email: '', phone: { require_verification: false } },
    });
    expect(updated.options).toMatchObject({ email: null, phone: { require_verification: false } });
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).options).toEqual(
      updated.options,
    );
  });
});
