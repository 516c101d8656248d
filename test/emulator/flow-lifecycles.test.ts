/**
 * The remaining families' lifecycles through GraphQL on the emulator, with the events a GraphQL
 * subscription receives: Identity (the hosted verification page, rules/identity.ts); billing's
 * prorations, metered usage and invoices paid through their PaymentIntent, on a test clock
 * (rules/subscriptions.ts, rules/invoices.ts); report runs whose CSV the emulator serves
 * (rules/reporting.ts); Climate orders delivered or canceled (rules/climate.ts); a detached Source
 * (rules/sources.ts). Pages and files are fetched in-process (`served`); forwarding, which needs a
 * destination listening, is in test/net/forwarding.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows, typesAmong } from './flow-harness.ts';

let f: FlowHarness;
beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

/** A request to the emulator's URLs (its pages, files and control endpoints), in-process. */
const served = (url: string, init?: RequestInit) => f.emulator.fetch(new Request(url, init));

/** Submits a hosted page's form (as a browser would), without following its redirect. */
const submit = (url: string, fields: Record<string, string>) =>
  served(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('Identity', () => {
  const SESSION = `id status url clientSecret lastError { code }
    lastVerificationReport { id type verificationSessionId document { status error { code } firstName } idNumber { status error { code } } }
    verifiedOutputs { firstName lastName dob { year } idNumber }`;

  it('a document check through the hosted page: requires_input, then verified', async () => {
    const stream = await f.subscribe(['identity.*']);
    const { createIdentityVerificationSession: created } = await f.ok(
      `mutation { createIdentityVerificationSession(input: { type: DOCUMENT, returnUrl: "https://example.com/done" }) { ${SESSION} } }`,
    );
    expect(created).toMatchObject({ status: 'REQUIRES_INPUT', lastError: null, verifiedOutputs: null });
    expect(created.url).toBe(`${f.emulator.url}/verify/${created.id}`);
    expect(created.clientSecret).toMatch(new RegExp(`^${created.id}_secret_test_[A-Za-z0-9]+$`));

    const page = await served(created.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('value="document_expired"');

    const expired = await submit(created.url, { outcome: 'document_expired' });
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('https://example.com/done');
    const query = `query($id: ID!) { identityVerificationSession(id: $id) { ${SESSION} } }`;
    const { identityVerificationSession: failed } = await f.ok(query, { id: created.id });
    expect(failed).toMatchObject({
      status: 'REQUIRES_INPUT',
      lastError: { code: 'DOCUMENT_EXPIRED' },
      verifiedOutputs: null,
      lastVerificationReport: {
        type: 'DOCUMENT',
        verificationSessionId: created.id,
        document: { status: 'UNVERIFIED', error: { code: 'DOCUMENT_EXPIRED' } },
      },
    });

    expect((await submit(created.url, { outcome: 'verified' })).status).toBe(303);
    const { identityVerificationSession: verified } = await f.ok(query, { id: created.id });
    expect(verified).toMatchObject({
      status: 'VERIFIED',
      lastError: null,
      verifiedOutputs: { firstName: 'Jenny', lastName: 'Rosen', dob: { year: 1901 }, idNumber: null },
      lastVerificationReport: { document: { status: 'VERIFIED', error: null, firstName: 'Jenny' } },
    });
    expect(verified.lastVerificationReport.id).not.toBe(failed.lastVerificationReport.id);
    // A verified session takes no more submissions and cannot be canceled.
    expect((await submit(created.url, { outcome: 'verified' })).status).toBe(200);
    expect(
      await f.fails('mutation($id: ID!) { cancelIdentityVerificationSession(id: $id) { id } }', {
        id: created.id,
      }),
    ).toBeDefined();
    const { redactIdentityVerificationSession: redacted } = await f.ok(
      'mutation($id: ID!) { redactIdentityVerificationSession(id: $id) { redaction { status } verifiedOutputs { firstName } } }',
      { id: created.id },
    );
    expect(redacted).toEqual({
      redaction: { status: 'REDACTED' },
      verifiedOutputs: { firstName: '[redacted]' },
    });

    const events = await stream.take(6);
    expect(events.map((e) => e.type)).toEqual([
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
      'identity.verification_session.redacted',
    ]);
    expect(events.map((e) => e.data.status)).toEqual([
      'requires_input',
      'processing',
      'requires_input',
      'processing',
      'verified',
      'verified',
    ]);
    stream.close();
  });

  it("an id number check with Stripe's test numbers; cancel from requires_input", async () => {
    const create = `mutation { createIdentityVerificationSession(input: { type: ID_NUMBER }) { ${SESSION} } }`;
    const { createIdentityVerificationSession: session } = await f.ok(create);
    expect((await submit(session.url, { id_number: '111111111' })).status).toBe(200);
    const query = `query($id: ID!) { identityVerificationSession(id: $id) { ${SESSION} } }`;
    expect((await f.ok(query, { id: session.id })).identityVerificationSession).toMatchObject({
      status: 'REQUIRES_INPUT',
      lastError: { code: 'ID_NUMBER_MISMATCH' },
      lastVerificationReport: {
        type: 'ID_NUMBER',
        idNumber: { status: 'UNVERIFIED', error: { code: 'ID_NUMBER_MISMATCH' } },
      },
    });
    await submit(session.url, { id_number: '000-00-0000' });
    expect((await f.ok(query, { id: session.id })).identityVerificationSession).toMatchObject({
      status: 'VERIFIED',
      verifiedOutputs: { firstName: 'Jenny', idNumber: '000000000' },
      lastVerificationReport: { idNumber: { status: 'VERIFIED' } },
    });
    const { createIdentityVerificationSession: other } = await f.ok(create);
    const { cancelIdentityVerificationSession: canceled } = await f.ok(
      'mutation($id: ID!) { cancelIdentityVerificationSession(id: $id) { status } }',
      { id: other.id },
    );
    expect(canceled.status).toBe('CANCELED');
    expect(await (await served(other.url)).text()).toContain('canceled');
  });
});

describe('Billing', () => {
  const at = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString();
  const INVOICE = `id status total billingReason
    lines(first: 10) { nodes { amount proration quantity description period { start end } } }
    paymentIntent { id status amount amountReceived invoiceId latestCharge { id paymentIntentId invoiceId status } }`;

  it('prorations, metered usage and PaymentIntents through a test clock', async () => {
    const price = async (amount: number, usage = 'LICENSED') =>
      (
        await f.ok(`mutation { createPrice(input: { unitAmount: ${amount}, currency: "usd",
          recurring: { interval: MONTH, usageType: ${usage} }, productData: { name: "Plan ${amount}" } }) { id } }`)
      ).createPrice.id as string;
    const [basic, pro, metered] = [await price(1000), await price(3000), await price(5, 'METERED')];
    const { createTestClock: clock } = await f.ok(
      'mutation($t: DateTime!) { createTestClock(input: { frozenTime: $t }) { id } }',
      { t: at(2025, 1, 1) },
    );
    const { createCustomer: customer } = await f.ok(
      'mutation($c: ID!) { createCustomer(input: { name: "Proration", source: "tok_visa", testClock: $c }) { id } }',
      { c: clock.id },
    );
    const { createSubscription: sub } = await f.ok(
      `mutation($c: ID!, $a: ID!, $m: ID!) { createSubscription(input: { customer: $c, items: [{ price: $a }, { price: $m }] }) {
        id items(first: 5) { nodes { id price { id } } } latestInvoice { ${INVOICE} } } }`,
      { c: customer.id, a: basic, m: metered },
    );
    // The first invoice bills the licensed item (no usage yet) through its PaymentIntent.
    const first = sub.latestInvoice;
    expect(first).toMatchObject({ status: 'PAID', total: 1000 });
    expect(first.paymentIntent).toMatchObject({
      status: 'SUCCEEDED',
      amount: 1000,
      amountReceived: 1000,
      invoiceId: first.id,
      latestCharge: { status: 'SUCCEEDED', invoiceId: first.id, paymentIntentId: first.paymentIntent.id },
    });
    const item = (p: string) => sub.items.nodes.find((n: { price: { id: string } }) => n.price.id === p).id;

    // Mid-period (16 of January's 31 days left): from basic to pro, prorated for the next invoice.
    const advance = (t: string) =>
      f.ok(
        'mutation($id: ID!, $t: DateTime!) { advanceTestClock(id: $id, input: { frozenTime: $t }) { status } }',
        {
          id: clock.id,
          t,
        },
      );
    await advance(at(2025, 1, 16));
    await f.ok(
      'mutation($s: ID!, $i: ID!, $p: ID!) { updateSubscription(id: $s, input: { items: [{ id: $i, price: $p }], prorationBehavior: CREATE_PRORATIONS }) { id } }',
      { s: sub.id, i: item(basic), p: pro },
    );
    const { invoiceitems } = await f.ok(
      'query($c: ID!) { invoiceitems(customer: $c, pending: true, first: 5) { nodes { amount proration description period { start end } } } }',
      { c: customer.id },
    );
    const rest = { start: at(2025, 1, 16), end: at(2025, 2, 1) };
    // Stripe names the product, the quantity when there are several, and the day the change took effect.
    const remaining = 'Remaining time on Plan 3000 after 16 Jan 2025';
    const unused = 'Unused time on Plan 1000 after 16 Jan 2025';
    expect(invoiceitems.nodes).toEqual([
      { amount: 1548, proration: true, description: remaining, period: rest },
      { amount: -516, proration: true, description: unused, period: rest },
    ]);
    // No proration when asked for none.
    await f.ok(
      'mutation($s: ID!, $i: ID!) { updateSubscription(id: $s, input: { items: [{ id: $i, quantity: 1 }], prorationBehavior: NONE }) { id } }',
      { s: sub.id, i: item(basic) },
    );

    for (const quantity of [100, 50])
      await f.ok(
        'mutation($i: ID!, $q: SafeInt!) { createSubscriptionItemUsageRecord(subscriptionItem: $i, input: { quantity: $q }) { id } }',
        { i: item(metered), q: quantity },
      );

    // At the period's end: pro for February, January's 150 metered units, and the prorations.
    await advance(at(2025, 2, 2));
    const { subscription } = await f.ok(
      `query($id: ID!) { subscription(id: $id) { latestInvoice { ${INVOICE} } } }`,
      {
        id: sub.id,
      },
    );
    const renewal = subscription.latestInvoice;
    expect(renewal).toMatchObject({
      status: 'PAID',
      total: 3000 + 750 + 1548 - 516,
      billingReason: 'SUBSCRIPTION_CYCLE',
    });
    expect(renewal.lines.nodes).toEqual([
      {
        amount: 3000,
        proration: false,
        quantity: 1,
        description: '1 × Plan 3000 (at $30.00 / month)',
        period: { start: at(2025, 2, 1), end: at(2025, 3, 1) },
      },
      {
        amount: 750,
        proration: false,
        quantity: 150,
        description: '150 × Plan 5 (at $0.05 / month)',
        period: { start: at(2025, 1, 1), end: at(2025, 2, 1) },
      },
      { amount: -516, proration: true, quantity: 1, description: unused, period: rest },
      { amount: 1548, proration: true, quantity: 1, description: remaining, period: rest },
    ]);
    expect(renewal.paymentIntent).toMatchObject({ status: 'SUCCEEDED', amountReceived: 4782 });
    const { subscriptionItem } = await f.ok(
      'query($i: ID!) { subscriptionItem(id: $i) { usageRecordSummaries(first: 5) { nodes { totalUsage invoiceId } } } }',
      { i: item(metered) },
    );
    expect(subscriptionItem.usageRecordSummaries.nodes).toContainEqual({
      totalUsage: 150,
      invoiceId: renewal.id,
    });

    // always_invoice: two pro seats from February 2 (27 of 28 days left), invoiced and paid now.
    const stream = await f.subscribe(['invoice.*', 'invoiceitem.*', 'payment_intent.*', 'charge.*']);
    const { updateSubscription: updated } = await f.ok(
      `mutation($s: ID!, $i: ID!) { updateSubscription(id: $s, input: { items: [{ id: $i, quantity: 2 }], prorationBehavior: ALWAYS_INVOICE }) {
        latestInvoice { ${INVOICE} } } }`,
      { s: sub.id, i: item(basic) },
    );
    expect(updated.latestInvoice).toMatchObject({
      status: 'PAID',
      billingReason: 'SUBSCRIPTION_UPDATE',
      total: 5786 - 2893,
      paymentIntent: { status: 'SUCCEEDED', amountReceived: 2893 },
    });
    const wanted = [
      'invoiceitem.created',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ];
    const events = await stream.until(['invoice.payment_succeeded']);
    expect([...new Set(typesAmong(events, wanted))]).toEqual(wanted);
    stream.close();

    // The item's own endpoint prorates too: a third seat, pending for the next invoice.
    await f.ok(
      'mutation($i: ID!) { updateSubscriptionItem(id: $i, input: { quantity: 3, prorationBehavior: CREATE_PRORATIONS }) { quantity } }',
      { i: item(basic) },
    );
    const { invoiceitems: pending } = await f.ok(
      'query($c: ID!) { invoiceitems(customer: $c, pending: true, first: 5) { nodes { amount quantity proration } } }',
      { c: customer.id },
    );
    expect(pending.nodes).toEqual([
      { amount: 8679, quantity: 3, proration: true },
      { amount: -5786, quantity: 2, proration: true },
    ]);
  });
});

/** A finalized invoice of one item for a new customer (`fields` of the customer, of the invoice). */
async function finalizedInvoice(customerFields: string, invoiceFields: string, amount: number) {
  const { createCustomer: customer } = await f.ok(
    `mutation { createCustomer(input: { ${customerFields} }) { id } }`,
  );
  await f.ok(
    'mutation($c: ID!, $a: SafeInt!) { createInvoiceitem(input: { customer: $c, amount: $a, currency: "usd" }) { id } }',
    {
      c: customer.id,
      a: amount,
    },
  );
  const { createInvoice: draft } = await f.ok(
    `mutation($c: ID!) { createInvoice(input: { customer: $c, pendingInvoiceItemsBehavior: INCLUDE ${invoiceFields} }) { id } }`,
    { c: customer.id },
  );
  return (
    await f.ok(
      'mutation($id: ID!) { finalizeInvoice(id: $id) { id status paymentIntent { id status amount invoiceId } } }',
      {
        id: draft.id,
      },
    )
  ).finalizeInvoice;
}

describe('Billing: an invoice paid through its PaymentIntent', () => {
  it('confirming the PaymentIntent of a sent invoice pays the invoice', async () => {
    const open = await finalizedInvoice(
      'name: "Invoice payer"',
      ', collectionMethod: SEND_INVOICE, daysUntilDue: 7',
      4200,
    );
    expect(open).toMatchObject({
      status: 'OPEN',
      paymentIntent: { status: 'REQUIRES_PAYMENT_METHOD', amount: 4200, invoiceId: open.id },
    });
    const stream = await f.subscribe(['invoice.paid', 'payment_intent.succeeded', 'charge.succeeded']);
    const { confirmPaymentIntent: paid } = await f.ok(
      'mutation($id: ID!) { confirmPaymentIntent(id: $id, input: { paymentMethod: "pm_card_visa" }) { status latestCharge { invoiceId } } }',
      { id: open.paymentIntent.id },
    );
    expect(paid).toEqual({ status: 'SUCCEEDED', latestCharge: { invoiceId: open.id } });
    const { invoice } = await f.ok(
      'query($id: ID!) { invoice(id: $id) { status amountPaid amountRemaining charge { id } } }',
      {
        id: open.id,
      },
    );
    expect(invoice).toMatchObject({ status: 'PAID', amountPaid: 4200, amountRemaining: 0 });
    expect(invoice.charge).not.toBeNull();
    expect((await stream.take(3)).map((e) => e.type)).toEqual([
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
    ]);
    stream.close();
  });
});

describe('Billing: a declined invoice payment', () => {
  it('leaves the invoice open and its PaymentIntent back at requires_payment_method', async () => {
    const invoice = await finalizedInvoice(
      'name: "Declined payer", source: "tok_chargeCustomerFail"',
      '',
      1800,
    );
    expect(
      await f.fails('mutation($id: ID!) { payInvoice(id: $id) { id } }', { id: invoice.id }),
    ).toBeDefined();
    const { invoice: after } = await f.ok(
      `query($id: ID!) { invoice(id: $id) { status attemptCount
        paymentIntent { status lastPaymentError { code } latestCharge { status invoiceId } } } }`,
      { id: invoice.id },
    );
    expect(after).toEqual({
      status: 'OPEN',
      attemptCount: 1,
      paymentIntent: {
        status: 'REQUIRES_PAYMENT_METHOD',
        lastPaymentError: { code: 'card_declined' },
        latestCharge: { status: 'FAILED', invoiceId: invoice.id },
      },
    });
  });
});

describe('Reporting', () => {
  it("a run's result is a CSV of the ledger the emulator serves", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const { createPaymentIntent: payment } = await f.ok(`mutation {
      createPaymentIntent(input: { amount: 2000, currency: "eur", paymentMethod: "pm_card_visa", paymentMethodTypes: ["card"], confirm: true }) {
        latestCharge { balanceTransaction { id amount fee net } }
      }
    }`);
    const transaction = payment.latestCharge.balanceTransaction;
    expect(transaction).toMatchObject({ amount: 2000, fee: 88, net: 1912 });
    const stream = await f.subscribe(['reporting.*']);
    const run = async (type: string, columns?: string[]) =>
      (
        await f.ok(
          `mutation($type: ID!, $from: DateTime!, $to: DateTime!, $columns: [String!]) { createReportingReportRun(input: {
            reportType: $type, parameters: { intervalStart: $from, intervalEnd: $to, currency: "eur", columns: $columns } }) {
            status result { url size purpose type } } }`,
          { type, from, to: new Date(Date.now() + 3_600_000).toISOString(), columns },
        )
      ).createReportingReportRun;
    const itemized = await run('balance_change_from_activity.itemized.1');
    expect(itemized).toMatchObject({
      status: 'succeeded',
      result: { purpose: 'FINANCE_REPORT_RUN', type: 'csv' },
    });
    expect(itemized.result.url).toMatch(new RegExp(`^${f.emulator.url}/v1/files/file_\\w+/contents$`));
    const download = (url: string, key?: string) =>
      served(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    expect((await download(itemized.result.url)).status).toBe(401);
    const response = await download(itemized.result.url, f.emulator.key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await response.text();
    expect(Buffer.byteLength(csv)).toBe(itemized.result.size);
    const [header, ...rows] = csv
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    // The report type's default columns.
    const { reportingReportType } = await f.ok(
      '{ reportingReportType(id: "balance_change_from_activity.itemized.1") { defaultColumns } }',
    );
    expect(header).toEqual(reportingReportType.defaultColumns);
    expect(header!.slice(2)).toEqual(['currency', 'gross', 'fee', 'net', 'reporting_category']);
    expect(rows.map((row) => row[2])).not.toContain('usd');
    const row = rows.find((r) => r[0] === transaction.id);
    expect(row?.slice(2)).toEqual(['eur', '20.00', '0.88', '19.12', 'charge']);

    const summary = await run('balance.summary.1', [
      'category',
      'currency',
      'count',
      'gross',
      'fee',
      'net_amount',
    ]);
    const lines = (await (await download(summary.result.url, f.emulator.key)).text()).trim().split('\n');
    expect(lines[0]).toBe('category,currency,count,gross,fee,net_amount');
    // The summary's charge row adds up the itemized charge rows.
    const charges = rows.filter((r) => r[6] === 'charge');
    const total = (column: number) =>
      (charges.reduce((sum, r) => sum + Math.round(Number(r[column]) * 100), 0) / 100).toFixed(2);
    expect(lines).toContain(`charge,eur,${charges.length},${total(3)},${total(4)},${total(5)}`);
    expect((await stream.take(2)).map((e) => e.type)).toEqual([
      'reporting.report_run.succeeded',
      'reporting.report_run.succeeded',
    ]);
    stream.close();
  });
});

describe('Climate', () => {
  const ORDER = `id status amountSubtotal amountFees amountTotal expectedDeliveryYear deliveredAt canceledAt
    cancellationReason deliveryDetails { metricTons supplier { id } }`;
  const usd = async () =>
    (await f.ok('{ balance { available { amount currency } } }')).balance.available.find(
      (b: { currency: string }) => b.currency === 'usd',
    ).amount as number;
  const order = async () =>
    (
      await f.ok(
        `mutation { createClimateOrder(input: { product: "climsku_frontier_offtake_portfolio_2027", metricTons: "0.5" }) { ${ORDER} } }`,
      )
    ).createClimateOrder;

  it('an order is paid from the balance, then delivered or canceled and refunded', async () => {
    const stream = await f.subscribe(['climate.*']);
    const before = await usd();
    const delivered = await order();
    expect(delivered).toMatchObject({
      status: 'CONFIRMED',
      amountSubtotal: 25_000,
      amountFees: 1_650,
      amountTotal: 26_650,
      expectedDeliveryYear: 2027,
      deliveryDetails: [],
    });
    expect(await usd()).toBe(before - 26_650);
    const response = await served(`${f.emulator.url}/_emulator/climate/orders/${delivered.id}/deliver`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    const { climateOrder } = await f.ok(`query($id: ID!) { climateOrder(id: $id) { ${ORDER} } }`, {
      id: delivered.id,
    });
    expect(climateOrder).toMatchObject({
      status: 'DELIVERED',
      deliveryDetails: [{ metricTons: '0.5', supplier: { id: 'climsup_emulator_frontier' } }],
    });
    expect(climateOrder.deliveredAt).not.toBeNull();
    const cancel =
      'mutation($id: ID!) { cancelClimateOrder(id: $id) { status canceledAt cancellationReason } }';
    expect(await f.fails(cancel, { id: delivered.id })).toBeDefined();
    expect(await usd()).toBe(before - 26_650);

    const canceled = await order();
    const { cancelClimateOrder } = await f.ok(cancel, { id: canceled.id });
    expect(cancelClimateOrder).toMatchObject({ status: 'CANCELED', cancellationReason: 'REQUESTED' });
    expect(await usd()).toBe(before - 26_650);
    expect(
      (await served(`${f.emulator.url}/_emulator/climate/orders/${canceled.id}/deliver`, { method: 'POST' }))
        .status,
    ).toBe(400);
    expect((await stream.take(4)).map((e) => `${e.type} ${e.data.id === delivered.id ? 1 : 2}`)).toEqual([
      'climate.order.created 1',
      'climate.order.delivered 1',
      'climate.order.created 2',
      'climate.order.canceled 2',
    ]);
    stream.close();
  });
});

describe('Sources', () => {
  it('detaching a Source answers with it consumed, not a deleted stub', async () => {
    const { createCustomer: customer } = await f.ok(
      'mutation { createCustomer(input: { name: "Source holder" }) { id } }',
    );
    const { createSource: source } = await f.ok(
      'mutation { createSource(input: { type: ACH_CREDIT_TRANSFER, currency: "usd", owner: { email: "jenny.rosen@example.com" } }) { id status } }',
    );
    await f.ok(
      'mutation($c: ID!, $s: ID!) { createCustomerSource(customer: $c, input: { source: $s }) { __typename } }',
      {
        c: customer.id,
        s: source.id,
      },
    );
    const stream = await f.subscribe(['customer.source.*']);
    const { deleteCustomerSource: detached } = await f.ok(
      `mutation($c: ID!, $s: ID!) { deleteCustomerSource(customer: $c, id: $s) {
        __typename ... on Source { id status customer { id } } } }`,
      { c: customer.id, s: source.id },
    );
    expect(detached).toEqual({ __typename: 'Source', id: source.id, status: 'consumed', customer: null });
    const { customer: after, source: retrieved } = await f.ok(
      'query($c: ID!, $s: ID!) { customer(id: $c) { defaultSource { __typename } sources(first: 5) { nodes { __typename } } } source(id: $s) { status } }',
      { c: customer.id, s: source.id },
    );
    expect(after).toEqual({ defaultSource: null, sources: { nodes: [] } });
    expect(retrieved).toEqual({ status: 'consumed' });
    const [event] = await stream.take(1);
    expect(event).toMatchObject({
      type: 'customer.source.deleted',
      data: { id: source.id, status: 'consumed' },
    });
    stream.close();
  });
});
