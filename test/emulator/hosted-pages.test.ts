/**
 * The hosted pages the emulator serves for the customer portal, Connect onboarding and the Express
 * dashboard, Financial Connections, Payment Links (on to Checkout), invoices and receipts, end to end: each flow is created through GraphQL (the
 * gateway over the emulator), its page fetched and its form submitted as a browser would (through
 * the emulator's in-process fetch handler), and the objects it changed read back through GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentLines, PDF_MAX_LINES } from '../../src/emulator/hosted/pdf.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type Harness, startHarness } from '../server/harness.ts';
import { newOnboardedExpress } from './helpers.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Runs an operation and returns its data, failing on any error. */
async function ok(query: string, variables: Record<string, unknown> = {}) {
  const response = await h.query(query, { variables });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as Record<string, any>;
}

/** Submits a page's form as a browser would (without following the redirect). */
const submit = (url: string, fields: [string, string][]) =>
  h.emulator.fetch(new Request(url, { method: 'POST', body: new URLSearchParams(fields) }));

const page = async (url: string) => {
  const response = await h.emulator.fetch(new Request(url));
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
};

describe('the customer portal', () => {
  it('lets the customer change their details and cancel a subscription', async () => {
    const { createBillingPortalSession: session } = await ok(
      `mutation($customer: ID!) {
        createBillingPortalSession(input: { customer: $customer, returnUrl: "https://example.com/account" }) {
          id url configurationId
        }
      }`,
      { customer: SEED.jenny.customer },
    );
    expect(session.url).toBe(`${h.emulator.url}/portal/${session.id}`);
    expect(session.configurationId).toMatch(/^bpc_/);

    const portal = await page(session.url);
    expect(portal.status).toBe(200);
    expect(portal.text).toContain(SEED.jenny.subscription);
    expect(portal.text).toContain('href="https://example.com/account"');

    const saved = await submit(session.url, [
      ['action', 'update_customer'],
      ['email', 'jenny@example.org'],
      ['name', 'Jenny R.'],
    ]);
    expect(await saved.text()).toContain('Details saved.');
    const canceled = await submit(session.url, [
      ['action', 'cancel'],
      ['subscription', SEED.jenny.subscription],
    ]);
    expect(await canceled.text()).toContain('cancels at period end');

    const { customer } = await ok(
      `query($id: ID!) {
        customer(id: $id) { email name subscriptions { nodes { id status cancelAtPeriodEnd } } }
      }`,
      { id: SEED.jenny.customer },
    );
    expect(customer).toMatchObject({ email: 'jenny@example.org', name: 'Jenny R.' });
    expect(customer.subscriptions.nodes).toContainEqual({
      id: SEED.jenny.subscription,
      status: 'ACTIVE',
      cancelAtPeriodEnd: true,
    });

    // Another customer's subscription is not this portal's to cancel.
    const refused = await submit(session.url, [
      ['action', 'cancel'],
      ['subscription', SEED.ada.subscription],
    ]);
    expect(await refused.text()).toContain('No such subscription.');
  });
});

describe('Connect onboarding', () => {
  it('fills the account with Stripe’s test values and returns to the platform', async () => {
    const { createAccount: account } = await ok(
      `mutation { createAccount(input: { type: CUSTOM, country: "US", email: "new.seller@example.com" }) {
        id detailsSubmitted chargesEnabled payoutsEnabled requirements { currentlyDue }
      } }`,
    );
    expect(account).toMatchObject({ detailsSubmitted: false, chargesEnabled: false, payoutsEnabled: false });
    expect(account.requirements.currentlyDue).toEqual([
      'business_profile.mcc',
      'business_profile.url',
      'business_type',
      'external_account',
      'tos_acceptance.date',
      'tos_acceptance.ip',
    ]);

    const { createAccountLink: link } = await ok(
      `mutation($account: ID!) { createAccountLink(input: {
        account: $account, type: ACCOUNT_ONBOARDING,
        refreshUrl: "https://example.com/reauth", returnUrl: "https://example.com/return"
      }) { url expiresAt created } }`,
      { account: account.id },
    );
    expect(link.url).toMatch(new RegExp(`^${h.emulator.url}/connect/setup/\\w{24}$`));
    expect(Date.parse(link.expiresAt) - Date.parse(link.created)).toBe(300_000);

    const form = await page(link.url);
    expect(form.status).toBe(200);
    expect(form.text).toContain('address_full_match');
    // The form as filled in: Stripe's test values.
    const done = await submit(link.url, [['business_type', 'individual']]);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('https://example.com/return');

    const { account: onboarded } = await ok(
      `query($id: ID!) { account(id: $id) {
        detailsSubmitted chargesEnabled payoutsEnabled businessType
        businessProfile { mcc url }
        individual { id firstName dob { year } ssnLast4Provided }
        tosAcceptance { ip }
        requirements { currentlyDue disabledReason }
        externalAccounts { nodes { ... on BankAccount { last4 routingNumber } } }
      } }`,
      { id: account.id },
    );
    expect(onboarded).toMatchObject({
      detailsSubmitted: true,
      chargesEnabled: true,
      payoutsEnabled: true,
      businessType: 'INDIVIDUAL',
      businessProfile: { mcc: '5734' },
      individual: { firstName: 'Jenny', dob: { year: 1901 }, ssnLast4Provided: true },
      tosAcceptance: { ip: '127.0.0.1' },
      requirements: { currentlyDue: [], disabledReason: null },
      externalAccounts: { nodes: [{ last4: '6789', routingNumber: '110000000' }] },
    });
    expect(onboarded.individual.id).toMatch(/^person_/);

    // A link is used once: again, it sends the browser to refresh_url for a new one.
    const used = await page(link.url);
    expect(used).toMatchObject({ status: 303, location: 'https://example.com/reauth' });
  });

  it('gives an Express account a dashboard where the payout schedule changes', async () => {
    const account = { id: newOnboardedExpress(h.emulator.service) };
    const { createAccountLoginLink: login } = await ok(
      `mutation($account: ID!) { createAccountLoginLink(account: $account) { url } }`,
      { account: account.id },
    );
    expect(login.url).toMatch(new RegExp(`^${h.emulator.url}/connect/express/\\w{24}$`));
    const dashboard = await page(login.url);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('Available: <span id="available">0.00 USD</span>');
    const saved = await submit(login.url, [['interval', 'weekly']]);
    expect(await saved.text()).toContain('Payout schedule saved.');
    const { account: read } = await ok(
      `query($id: ID!) { account(id: $id) { settings { payouts { schedule { interval weeklyAnchor delayDays } } } } }`,
      { id: account.id },
    );
    expect(read.settings.payouts.schedule).toEqual({
      interval: 'weekly',
      weeklyAnchor: 'friday',
      delayDays: 2,
    });

    // An unknown token is no page of the emulator's.
    expect((await page(`${h.emulator.url}/connect/express/nope`)).status).toBe(404);
  });
});

describe('Financial Connections', () => {
  it('attaches the test institution’s accounts to the session', async () => {
    const { createFinancialConnectionsSession: session } = await ok(
      `mutation($customer: ID!) { createFinancialConnectionsSession(input: {
        accountHolder: { type: CUSTOMER, customer: $customer }, permissions: [BALANCES, OWNERSHIP]
      }) { id clientSecret accounts { nodes { id } } } }`,
      { customer: SEED.alan.customer },
    );
    expect(session.accounts.nodes).toEqual([]);
    const url = `${h.emulator.url}/financial-connections/${session.clientSecret}`;
    const chooser = await page(url);
    expect(chooser.status).toBe(200);
    expect(chooser.text).toContain('StripeBank');
    // Only the session's own secret opens it.
    expect((await page(`${url}x`)).status).toBe(404);

    const linked = await submit(url, [['account', 'checking']]);
    expect(linked.status).toBe(200);
    expect(await linked.text()).toContain('Accounts linked');

    const { financialConnectionsSession: read } = await ok(
      `query($id: ID!) { financialConnectionsSession(id: $id) {
        accounts { nodes { displayName institutionName last4 status permissions accountHolder { customerId } } }
      } }`,
      { id: session.id },
    );
    expect(read.accounts.nodes).toEqual([
      {
        displayName: 'Checking',
        institutionName: 'StripeBank',
        last4: '6789',
        status: 'ACTIVE',
        permissions: ['BALANCES', 'OWNERSHIP'],
        accountHolder: { customerId: SEED.alan.customer },
      },
    ]);
  });
});

describe('Payment Links', () => {
  it('a link opens Checkout for its items; the test card pays it and Checkout goes where the link says', async () => {
    const { createPaymentLink: link } = await ok(
      `mutation($price: ID!) { createPaymentLink(input: {
        lineItems: [{ price: $price, quantity: 2 }],
        afterCompletion: { type: REDIRECT, redirect: { url: "https://example.com/thanks" } }
      }) { id url } }`,
      { price: SEED.prices.tshirt },
    );
    expect(link.url).toBe(`${h.emulator.url}/buy/${link.id}`);
    const opened = await page(link.url);
    expect(opened.status).toBe(303);
    expect(opened.location).toMatch(new RegExp(`^${h.emulator.url}/pay/cs_\\w+$`));
    const checkout = await page(opened.location!);
    expect(checkout.text).toContain('Pay 40.00 USD');
    const paid = await submit(opened.location!, [
      ['card', '4242 4242 4242 4242'],
      ['email', 'buyer@example.com'],
    ]);
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('https://example.com/thanks');
    const { checkoutSession: session } = await ok(
      `query($id: ID!) { checkoutSession(id: $id) { status paymentStatus paymentLinkId amountTotal } }`,
      { id: opened.location!.split('/').pop() },
    );
    expect(session).toEqual({
      status: 'COMPLETE',
      paymentStatus: 'PAID',
      paymentLinkId: link.id,
      amountTotal: 4000,
    });
    expect((await page(`${h.emulator.url}/buy/plink_nope`)).status).toBe(404);
  });
});

describe('the hosted invoice page', () => {
  const call = (path: string, params = {}) => h.emulator.service.call('POST', path, params);
  /** A draft invoice sent to a new customer, with one item per [amount, description]. */
  const draftInvoice = (customerParams: Record<string, string>, items: [number, string][]) => {
    const customer = String(call('/v1/customers', customerParams).id);
    for (const [amount, description] of items)
      call('/v1/invoiceitems', { customer, amount, currency: 'usd', description });
    return call('/v1/invoices', {
      customer,
      collection_method: 'send_invoice',
      days_until_due: 30,
      pending_invoice_items_behavior: 'include',
    });
  };

  it("shows what is due and takes Stripe's test card", async () => {
    const draft = draftInvoice({ email: 'payer@example.com' }, [[1250, 'Consulting']]);
    call(`/v1/invoices/${String(draft.id)}/finalize`);
    const read = `query($id: ID!) { invoice(id: $id) { hostedInvoiceUrl status amountPaid } }`;
    const { invoice } = await ok(read, { id: draft.id });
    expect(invoice).toMatchObject({ status: 'OPEN', amountPaid: 0 });
    expect(invoice.hostedInvoiceUrl).toBe(`${h.emulator.url}/invoice/${String(draft.id)}`);
    const shown = await page(invoice.hostedInvoiceUrl);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Consulting');
    expect(shown.text).toContain('Pay 12.50 USD');
    const declined = await submit(invoice.hostedInvoiceUrl, [['card', '4000 0000 0000 0002']]);
    expect(await declined.text()).toContain('Your card was declined.');
    const paid = await submit(invoice.hostedInvoiceUrl, [['card', '4242 4242 4242 4242']]);
    expect(await paid.text()).toContain('This invoice is <strong>paid</strong>');
    expect((await ok(read, { id: draft.id })).invoice).toMatchObject({ status: 'PAID', amountPaid: 1250 });
  });

  it('takes every test card the emulator models, which pays (or declines) as through the API', async () => {
    const open = () => {
      const draft = draftInvoice({ email: 'payer@example.com' }, [[900, 'Audit']]);
      return call(`/v1/invoices/${String(draft.id)}/finalize`);
    };
    const lost = await submit(String(open().hosted_invoice_url), [['card', '4000 0000 0000 9987']]);
    expect(await lost.text()).toContain('Your card was declined.');
    // The issuer fraud record card pays, and its charge gets an early fraud warning.
    const invoice = open();
    const paid = await submit(String(invoice.hosted_invoice_url), [['card', '4000 0000 0000 5423']]);
    expect(await paid.text()).toContain('This invoice is <strong>paid</strong>');
    const charge = h.emulator.service.call('GET', `/v1/invoices/${String(invoice.id)}`).charge;
    const warnings = h.emulator.service.call('GET', '/v1/radar/early_fraud_warnings', {
      charge: String(charge),
    });
    expect((warnings.data as unknown[]).length).toBe(1);
  });

  /** A PDF the emulator serves, as text, after checking its type and that it is well formed. */
  const openPdf = async (url: string) => {
    const response = await h.emulator.fetch(new Request(url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf.endsWith('%%EOF\n')).toBe(true);
    // Every cross-reference entry points at its object, startxref at the table, /Length at the end.
    const xref = Number(/startxref\n(\d+)\n/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 5)).toBe('xref\n');
    const entries = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n\r\n/gm)].map((m) => Number(m[1]));
    expect(entries.length).toBeGreaterThan(4);
    expect(entries.map((offset) => /^\d+/.exec(pdf.slice(offset, offset + 12))?.[0])).toEqual(
      entries.map((_, i) => String(i + 1)),
    );
    for (const offset of entries) expect(pdf.slice(offset)).toMatch(/^\d+ 0 obj\n/);
    const stream = /<< \/Length (\d+) >>\nstream\n/.exec(pdf)!;
    expect(pdf.slice(stream.index + stream[0].length + Number(stream[1]))).toMatch(/^\nendstream/);
    return pdf;
  };

  it('a long document fills its one page and says how many lines are left out', () => {
    const items = Array.from({ length: 100 }, (_, i) => `Line ${i + 1}`);
    const lines = documentLines(['Title'], items, ['Total']);
    expect(lines).toHaveLength(PDF_MAX_LINES);
    expect(lines.slice(-4)).toEqual([
      `Line ${PDF_MAX_LINES - 5}`,
      `(${105 - PDF_MAX_LINES} more lines)`,
      '',
      'Total',
    ]);
    expect(documentLines(['Title'], items.slice(0, 3), ['Total'])).toEqual([
      'Title',
      '',
      'Line 1',
      'Line 2',
      'Line 3',
      '',
      'Total',
    ]);
  });

  it("serves the invoice's and its credit note's PDFs: number, lines and total", async () => {
    const draft = draftInvoice({ name: 'Zoë (PDF) Payer' }, [
      [1250, 'Consulting'],
      [300, 'Travel'],
    ]);
    const read = `query($id: ID!) { invoice(id: $id) { number invoicePdf } }`;
    expect((await ok(read, { id: draft.id })).invoice.invoicePdf).toBeNull();
    call(`/v1/invoices/${String(draft.id)}/finalize`);
    const { invoice } = await ok(read, { id: draft.id });
    expect(invoice.invoicePdf).toBe(`${h.emulator.url}/invoice/${String(draft.id)}/pdf`);
    const pdf = await openPdf(invoice.invoicePdf);
    for (const text of [
      `(Invoice ${String(invoice.number)})`,
      '(Consulting  12.50 USD)',
      '(Travel  3.00 USD)',
      '(Total: 15.50 USD)',
      '(Bill to: Zoe \\(PDF\\) Payer)',
    ])
      expect(pdf).toContain(text);
    expect(
      (await h.emulator.fetch(new Request(`${h.emulator.url}/invoice/${String(draft.id)}/csv`))).status,
    ).toBe(404);

    const note = call('/v1/credit_notes', { invoice: String(draft.id), amount: 300, memo: 'Travel waived' });
    const { creditNote } = await ok(`query($id: ID!) { creditNote(id: $id) { number pdf } }`, {
      id: note.id,
    });
    expect(creditNote.pdf).toBe(`${h.emulator.url}/credit_notes/${String(note.id)}/pdf`);
    const notePdf = await openPdf(creditNote.pdf);
    for (const text of [
      `(Credit note ${String(creditNote.number)})`,
      `(Credits invoice: ${String(invoice.number)})`,
      '(Total credited: 3.00 USD)',
    ])
      expect(notePdf).toContain(text);
  });
});

describe('receipts', () => {
  it("a charge's receipt shows what was paid, with which card, and what was refunded", async () => {
    const charge = h.emulator.service.call('POST', '/v1/charges', {
      amount: 2500,
      currency: 'usd',
      source: 'tok_visa',
    });
    h.emulator.service.call('POST', '/v1/refunds', { charge: String(charge.id), amount: 500 });
    const { charge: read } = await ok(`query($id: ID!) { charge(id: $id) { receiptUrl } }`, {
      id: charge.id,
    });
    expect(read.receiptUrl).toBe(`${h.emulator.url}/receipts/${String(charge.id)}`);
    const receipt = await page(read.receiptUrl);
    expect(receipt.status).toBe(200);
    expect(receipt.text).toContain('25.00 USD');
    expect(receipt.text).toContain('visa •••• 4242');
    expect(receipt.text).toContain('<th>Refunded</th><td>5.00 USD</td>');
    expect((await page(`${h.emulator.url}/receipts/ch_nope`)).status).toBe(404);
  });
});
