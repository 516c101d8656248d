/**
 * A subscription whose first payment is left to the client (`paymentBehavior: DEFAULT_INCOMPLETE`),
 * or cannot be made (no payment method), as a gateway user creates and completes it.
 */
import { afterAll, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { startHarness } from '../server/harness.ts';

const h = await startHarness();
afterAll(() => h.close());

it('starts incomplete and is active once its PaymentIntent is confirmed', async () => {
  const created = await h.query(
    `mutation($c: ID!, $p: ID!) {
      createSubscription(input: { customer: $c, items: [{ price: $p }], paymentBehavior: DEFAULT_INCOMPLETE }) {
        id status latestInvoice { status paymentIntent { id status clientSecret } } } }`,
    { variables: { c: SEED.jenny.customer, p: SEED.prices.basicMonthly } },
  );
  expect(created.body.errors).toBeUndefined();
  const subscription = (created.body.data as Record<string, any>).createSubscription;
  expect(subscription).toMatchObject({
    status: 'INCOMPLETE',
    latestInvoice: { status: 'OPEN', paymentIntent: { status: 'REQUIRES_PAYMENT_METHOD' } },
  });
  const intent = subscription.latestInvoice.paymentIntent;
  expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_`));
  const confirmed = await h.query(
    `mutation($id: ID!) { confirmPaymentIntent(id: $id, input: { paymentMethod: "pm_card_visa" }) { status } }`,
    { variables: { id: intent.id } },
  );
  expect(confirmed.body.errors).toBeUndefined();
  const after = await h.query(
    'query($id: ID!) { subscription(id: $id) { status latestInvoice { status } } }',
    {
      variables: { id: subscription.id },
    },
  );
  expect((after.body.data as Record<string, any>).subscription).toEqual({
    status: 'ACTIVE',
    latestInvoice: { status: 'PAID' },
  });
});

it('starts incomplete for a customer with nothing to pay with, its invoice open until paid', async () => {
  const customer = await h.query(
    'mutation { createCustomer(input: { email: "nocard@example.com" }) { id } }',
  );
  expect(customer.body.errors).toBeUndefined();
  const c = (customer.body.data as Record<string, any>).createCustomer.id;
  const created = await h.query(
    `mutation($c: ID!, $p: ID!) {
      createSubscription(input: { customer: $c, items: [{ price: $p }] }) {
        id status latestInvoice { id status paid } } }`,
    { variables: { c, p: SEED.prices.basicMonthly } },
  );
  expect(created.body.errors).toBeUndefined();
  const subscription = (created.body.data as Record<string, any>).createSubscription;
  expect(subscription).toMatchObject({
    status: 'INCOMPLETE',
    latestInvoice: { status: 'OPEN', paid: false },
  });
  const paid = await h.query('mutation($id: ID!) { payInvoice(id: $id) { status } }', {
    variables: { id: subscription.latestInvoice.id },
  });
  expect(paid.body.errors).toEqual([
    expect.objectContaining({
      path: ['payInvoice'],
      extensions: expect.objectContaining({ code: 'STRIPE_INVALID_REQUEST' }),
    }),
  ]);
});
