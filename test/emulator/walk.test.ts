/**
 * What walking the seed's flows on `npm start` found, as a new user meets it from GraphiQL: an
 * uploaded file's `url` downloads it (with the key), a file link's `url` without one; an Issuing
 * card's `number` and `cvc` are sent when expanded (as Stripe sends them); the report types' data
 * window holds the demo data; a customer created with a test payment method as its invoices'
 * default keeps the one attached; a Checkout Session's `url` is there only while it is open; a
 * renewal invoice's period is the one that ended. Through GraphQL, the card's `number` and `cvc`
 * are asked for when selected, and a saved card used as a payment's method pays as itself (and is
 * listed among its customer's payment methods); a payout names the bank account it goes to; a
 * dispute answered with Stripe's test evidence is won. The demo data is caught up to the boot: a
 * seeded subscription's period holds the time it is read at, its last renewal paid.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { luhn } from '../../src/emulator/money/tokens.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function ok(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await h.query(query, { variables });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as Record<string, any>;
}

it("an uploaded file downloads from its url, and a file link's url serves it with no key", async () => {
  const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0xe2, 0x00, 0xff, 0x0a]); // binary, not UTF-8
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: `mutation($file: Upload!) { createFile(input: { file: $file, purpose: BUSINESS_LOGO }) {
        id size url } }`,
      variables: { file: null },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new File([bytes], 'logo.pdf', { type: 'application/pdf' }));
  const response = await h.fetch('/graphql', {
    method: 'POST',
    headers: { 'x-graphql-yoga-csrf': '1' },
    body: form,
  });
  const body = (await response.json()) as { data: { createFile: { id: string; size: number; url: string } } };
  const file = body.data.createFile;
  expect(file.size).toBe(bytes.length);
  expect(file.url).toBe(`${h.emulator.url}/v1/files/${file.id}/contents`);
  const download = await h.emulator.fetch(
    new Request(file.url, { headers: { authorization: `Bearer ${h.emulator.key}` } }),
  );
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

  const { link, other } = await ok(
    `mutation($file: ID!) {
      link: createFileLink(input: { file: $file }) { url expired }
      other: createFileLink(input: { file: $file }) { id }
    }`,
    { file: file.id },
  );
  // Expired now, a link says so and its url serves nothing.
  const { updateFileLink: expired } = await ok(
    'mutation($id: ID!) { updateFileLink(id: $id, input: { expiresAt: { now: true } }) { url expired } }',
    { id: other.id },
  );
  expect(expired.expired).toBe(true);
  expect(link.url.startsWith(`${h.emulator.url}/links/`), link.url).toBe(true);
  expect(link.expired).toBe(false);
  const opened = await h.emulator.fetch(new Request(link.url)); // no key, as a browser opens it
  expect(opened.status).toBe(200);
  expect(Buffer.from(await opened.arrayBuffer())).toEqual(bytes);
  expect((await h.emulator.fetch(new Request(expired.url))).status).toBe(404);
  expect((await h.emulator.fetch(new Request(`${h.emulator.url}/links/bm9wZQ`))).status).toBe(404);
});

it("an Issuing card's number and CVC are sent when expanded, the number ending in its last4", async () => {
  const { issuingCards } = await ok('{ issuingCards(first: 1) { nodes { id last4 } } }');
  const card = issuingCards.nodes[0];
  const read = async (query: string) => {
    const response = await h.emulator.fetch(
      new Request(`${h.emulator.url}/v1/issuing/cards/${card.id}${query}`, {
        headers: { authorization: `Bearer ${h.emulator.key}` },
      }),
    );
    return (await response.json()) as Record<string, unknown>;
  };
  const expanded = await read('?expand[]=number&expand[]=cvc');
  const number = String(expanded.number);
  expect(number).toMatch(/^4\d{15}$/);
  expect(number.endsWith(card.last4)).toBe(true);
  expect(luhn(number)).toBe(true);
  expect(expanded.cvc).toMatch(/^\d{3}$/);
  // Not sent unless expanded, as Stripe does.
  const plain = await read('');
  expect('number' in plain || 'cvc' in plain).toBe(false);
});

it("the report types' data window holds the demo data, and a run over it sums it", async () => {
  const { reportingReportTypes } = await ok(
    '{ reportingReportTypes(first: 10) { nodes { id dataAvailableStart dataAvailableEnd } } }',
  );
  const summary = reportingReportTypes.nodes.find((t: { id: string }) => t.id === 'balance.summary.1');
  const { before, after, inside } = await ok(
    `query($start: DateTime!, $end: DateTime!) {
      before: balanceTransactions(first: 1, created: { lt: $start }) { nodes { id } }
      after: balanceTransactions(first: 1, created: { gte: $end }) { nodes { id } }
      inside: balanceTransactions(first: 1, created: { gte: $start, lt: $end }) { nodes { id } }
    }`,
    { start: summary.dataAvailableStart, end: summary.dataAvailableEnd },
  );
  expect(before.nodes).toEqual([]);
  expect(after.nodes).toEqual([]);
  expect(inside.nodes).toHaveLength(1);
  const { createReportingReportRun: run } = await ok(
    `mutation($start: DateTime!, $end: DateTime!) {
      createReportingReportRun(input: { reportType: "balance.summary.1",
        parameters: { intervalStart: $start, intervalEnd: $end } }) { status result { ... on File { url } } }
    }`,
    { start: summary.dataAvailableStart, end: summary.dataAvailableEnd },
  );
  const file = await h.emulator.fetch(
    new Request(run.result.url, { headers: { authorization: `Bearer ${h.emulator.key}` } }),
  );
  const rows = (await file.text()).trim().split('\n');
  expect(rows[0]).toBe('category,currency,net_amount');
  expect(rows.some((row) => row.startsWith('charge,usd,'))).toBe(true);
});

it('a customer created with `pm_card_visa` as payment method and default keeps the attached one', async () => {
  const { createCustomer } = await ok(`mutation {
    createCustomer(input: { email: "clock@example.com", paymentMethod: "pm_card_visa",
      invoiceSettings: { defaultPaymentMethod: "pm_card_visa" } }) { id }
  }`);
  const read = `query($id: ID!) { customer(id: $id) {
    invoiceSettings { defaultPaymentMethodId defaultPaymentMethod { id customerId } }
    paymentMethods { nodes { id } } } }`;
  const { customer } = await ok(read, { id: createCustomer.id });
  const attached = customer.paymentMethods.nodes;
  expect(attached).toHaveLength(1);
  expect(customer.invoiceSettings.defaultPaymentMethodId).toBe(attached[0].id);
  expect(customer.invoiceSettings.defaultPaymentMethod).toEqual({
    id: attached[0].id,
    customerId: createCustomer.id,
  });
  // A method not attached to the customer is refused, as on update.
  const refused = await h.query(`mutation {
    createCustomer(input: { paymentMethod: "pm_card_visa", invoiceSettings: { defaultPaymentMethod: "pm_card_mastercard" } }) { id }
  }`);
  expect(refused.body.errors?.[0]?.extensions?.stripe).toMatchObject({
    param: 'invoice_settings[default_payment_method]',
  });
});

it("a Checkout Session's url is there while it is open, and null once paid or expired", async () => {
  const create = `mutation($price: ID!) { createCheckoutSession(input: { mode: PAYMENT,
    lineItems: [{ price: $price, quantity: 1 }], successUrl: "https://example.com/ok" }) { id url } }`;
  const read = 'query($id: ID!) { checkoutSession(id: $id) { status url } }';
  const { createCheckoutSession: paid } = await ok(create, { price: SEED.prices.tshirt });
  expect(paid.url).toBe(`${h.emulator.url}/pay/${paid.id}`);
  const page = await h.emulator.fetch(
    new Request(paid.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=walk%40example.com&card=4242+4242+4242+4242&expiry=12+%2F+34&cvc=123&name=Walk',
    }),
  );
  expect(page.status).toBe(303);
  expect((await ok(read, { id: paid.id })).checkoutSession).toEqual({ status: 'COMPLETE', url: null });

  const { createCheckoutSession: left } = await ok(create, { price: SEED.prices.tshirt });
  const expire = 'mutation($id: ID!) { expireCheckoutSession(id: $id) { status url } }';
  expect((await ok(expire, { id: left.id })).expireCheckoutSession).toEqual({ status: 'EXPIRED', url: null });
  const late = await h.query(expire, { variables: { id: paid.id } });
  expect(late.body.errors?.[0]?.extensions?.code).toBe('STRIPE_INVALID_REQUEST');
});

it("a subscription's renewal invoice covers the period that ended", async () => {
  const { createTestClock: clock } = await ok(
    'mutation { createTestClock(input: { frozenTime: "2026-01-01T00:00:00Z" }) { id } }',
  );
  const { createCustomer: customer } = await ok(
    'mutation($clock: ID!) { createCustomer(input: { source: "tok_visa", testClock: $clock }) { id } }',
    { clock: clock.id },
  );
  await ok(
    'mutation($customer: ID!, $price: ID!) { createSubscription(input: { customer: $customer, items: [{ price: $price }] }) { id } }',
    { customer: customer.id, price: SEED.prices.basicMonthly },
  );
  await ok(
    'mutation($id: ID!) { advanceTestClock(id: $id, input: { frozenTime: "2026-02-05T00:00:00Z" }) { id } }',
    {
      id: clock.id,
    },
  );
  const { customer: read } = await ok(
    'query($id: ID!) { customer(id: $id) { invoices { nodes { billingReason periodStart periodEnd } } } }',
    { id: customer.id },
  );
  const periods = read.invoices.nodes.map(
    (i: Record<string, string>) => `${i.billingReason} ${i.periodStart} ${i.periodEnd}`,
  );
  expect(periods).toEqual([
    'SUBSCRIPTION_CYCLE 2026-01-01T00:00:00.000Z 2026-02-01T00:00:00.000Z',
    'SUBSCRIPTION_CREATE 2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.000Z',
  ]);
});

it("an Issuing card's number and cvc are asked for when selected, in the read's one call", async () => {
  const { issuingCards } = await ok('{ issuingCards(first: 1) { nodes { id last4 number cvc } } }');
  const listed = issuingCards.nodes[0];
  // A list's items are not expanded unless asked for too (`data.number`).
  expect(listed.number).toMatch(/^\d{15,16}$/);
  h.upstreamCalls();
  const { issuingCard } = await ok('query($id: ID!) { issuingCard(id: $id) { number cvc last4 } }', {
    id: listed.id,
  });
  expect(h.upstreamCalls()).toBe(1);
  expect(issuingCard.number).toMatch(/^\d{15,16}$/);
  expect(issuingCard.number.endsWith(issuingCard.last4)).toBe(true);
  expect(issuingCard.cvc).toMatch(/^\d{3,4}$/);
  // Not selected, not asked for: the same read without them is still one call.
  const { plain } = await ok('query($id: ID!) { plain: issuingCard(id: $id) { last4 } }', { id: listed.id });
  expect(plain.last4).toBe(issuingCard.last4);
});

it('a saved card pays as itself: no PaymentMethod attached per payment, the card the intents’ method', async () => {
  const { createCustomer: customer } = await ok(
    `mutation { createCustomer(input: { source: "tok_visa" }) { id defaultSourceId } }`,
  );
  const card = customer.defaultSourceId as string;
  expect(card).toMatch(/^card_/);
  const methods = `query($id: ID!) { customer(id: $id) { paymentMethods(first: 10, type: CARD) { nodes { id } } } }`;
  const attached = `{ events(first: 100, type: "payment_method.attached") { nodes { id } } }`;
  const before = (await ok(methods, { id: customer.id })).customer.paymentMethods.nodes;
  // Stripe lists a saved card among its customer's payment methods.
  expect(before).toEqual([{ id: card }]);
  const eventsBefore = (await ok(attached)).events.nodes;
  const pay = `mutation($customer: ID!, $card: ID!) {
    createPaymentIntent(input: { customer: $customer, paymentMethod: $card, amount: 2000, currency: "usd",
      paymentMethodTypes: ["card"], confirm: true }) {
      id status paymentMethodId paymentMethod { id type card { last4 } } latestCharge { paymentMethodId paid } }
  }`;
  const first = (await ok(pay, { customer: customer.id, card })).createPaymentIntent;
  const second = (await ok(pay, { customer: customer.id, card })).createPaymentIntent;
  for (const intent of [first, second]) {
    expect(intent.status).toBe('SUCCEEDED');
    expect(intent.paymentMethodId).toBe(card);
    // Read back as Stripe answers `GET /v1/payment_methods/card_…`: the card as a payment method.
    expect(intent.paymentMethod).toEqual({ id: card, type: 'CARD', card: { last4: '4242' } });
    expect(intent.latestCharge).toEqual({ paymentMethodId: card, paid: true });
  }
  expect((await ok(methods, { id: customer.id })).customer.paymentMethods.nodes).toEqual(before);
  expect((await ok(attached)).events.nodes).toEqual(eventsBefore);
  // The card expands in place as a payment method (`expand[]=payment_method`): one call, as estimated.
  h.upstreamCalls();
  const read = await h.query('query($id: ID!) { paymentIntent(id: $id) { paymentMethod { id type } } }', {
    variables: { id: first.id },
  });
  expect(read.body.data).toEqual({ paymentIntent: { paymentMethod: { id: card, type: 'CARD' } } });
  expect(h.upstreamCalls()).toBe(1);
});

it("a payout reads its destination, the paying account's bank account, in one call", async () => {
  h.upstreamCalls();
  const { payout } = await ok(
    'query($id: ID!) { payout(id: $id) { type destination { __typename ... on BankAccount { id last4 } } } }',
    { id: SEED.payout },
  );
  expect(payout).toEqual({
    type: 'BANK_ACCOUNT',
    destination: { __typename: 'BankAccount', id: SEED.platform.bankAccount, last4: '6789' },
  });
  expect(h.upstreamCalls()).toBe(1);
});

it('a dispute answered with evidence through GraphQL goes under review, and test evidence wins it', async () => {
  const { createCharge } = await ok(
    'mutation { createCharge(input: { amount: 4200, currency: "usd", source: "tok_createDispute" }) { id disputed } }',
  );
  expect(createCharge.disputed).toBe(true);
  const { disputes } = await ok('query($charge: ID!) { disputes(charge: $charge) { nodes { id status } } }', {
    charge: createCharge.id,
  });
  const [dispute] = disputes.nodes;
  expect(dispute.status).toBe('NEEDS_RESPONSE');
  const submit = `mutation($id: ID!, $text: String!) {
    updateDispute(id: $id, input: { evidence: { uncategorizedText: $text } }) {
      status evidenceDetails { hasEvidence submissionCount } balanceTransactions { nodes { amount } }
    }
  }`;
  const won = (await ok(submit, { id: dispute.id, text: 'winning_evidence' })).updateDispute;
  expect(won).toEqual({
    status: 'WON',
    evidenceDetails: { hasEvidence: true, submissionCount: 1 },
    balanceTransactions: { nodes: [{ amount: -4200 }, { amount: 4200 }] },
  });
  // Closed: more evidence is Stripe's 400, typed.
  const again = await h.query(submit, { variables: { id: dispute.id, text: 'more' } });
  expect(again.body.errors?.[0]?.extensions?.code).toBe('STRIPE_INVALID_REQUEST');
});

it('a seeded subscription is caught up to the boot: its period holds now, its renewal paid', async () => {
  const { subscription } = await ok(
    `query($id: ID!) { subscription(id: $id) {
      status currentPeriodStart currentPeriodEnd latestInvoice { billingReason status periodEnd }
    } }`,
    { id: SEED.jenny.subscription },
  );
  const at = Date.now();
  expect(subscription).toMatchObject({
    status: 'ACTIVE',
    latestInvoice: { billingReason: 'SUBSCRIPTION_CYCLE', status: 'PAID' },
  });
  expect(Date.parse(subscription.currentPeriodStart)).toBeLessThan(at);
  expect(Date.parse(subscription.currentPeriodEnd)).toBeGreaterThan(at);
  expect(subscription.latestInvoice.periodEnd).toBe(subscription.currentPeriodStart);
});
