/**
 * The generic API: expand, list filters and nested collections, search, events, deletes, files.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';

let h: EmulatorHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startEmulatorHarness();
  stripe = h.stripe;
});
afterAll(() => h.close());

const get = async (path: string) => {
  const response = await h.request('GET', path);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

describe('expand', () => {
  it('expands references on retrieve, nested up to four levels', async () => {
    const invoice = await get(
      `/v1/invoices/${SEED.jenny.invoice}?expand[]=customer.default_source.customer.default_source`,
    );
    expect(invoice.customer.id).toBe(SEED.jenny.customer);
    expect(invoice.customer.default_source.object).toBe('card');
    expect(invoice.customer.default_source.customer.default_source.id).toBe(SEED.jenny.card);
    const subscription = await get(
      `/v1/subscriptions/${SEED.jenny.subscription}?expand[]=items.data.price.product`,
    );
    expect(subscription.items.data[0].price.product).toMatchObject({
      object: 'product',
      id: SEED.products.basic,
    });
  });

  it('expands list items with data.', async () => {
    const list = await get(
      `/v1/charges?customer=${SEED.grace.customer}&expand[]=data.customer&expand[]=data.balance_transaction`,
    );
    expect(list.data[0].customer).toMatchObject({ id: SEED.grace.customer, object: 'customer' });
    expect(list.data[0].balance_transaction.object).toBe('balance_transaction');
  });

  it('expands create, update, action and search responses', async () => {
    const created = await h.request('POST', '/v1/invoiceitems', {
      body: `customer=${SEED.dennis.customer}&amount=100&currency=usd&expand[]=customer`,
    });
    expect(created.body.customer.id).toBe(SEED.dennis.customer);
    const updated = await h.request('POST', `/v1/invoiceitems/${created.body.id}`, {
      body: 'description=x&expand[0]=customer',
    });
    expect(updated.body.customer.object).toBe('customer');
    const paid = await stripe.invoices.pay(SEED.katherine.openInvoice, {
      paid_out_of_band: true,
      expand: ['customer'],
    });
    expect((paid.customer as Stripe.Customer).id).toBe(SEED.katherine.customer);
    const found = await get(
      `/v1/charges/search?query=${encodeURIComponent(`customer:"${SEED.grace.customer}"`)}&expand[]=data.customer`,
    );
    expect(found.data[0].customer.id).toBe(SEED.grace.customer);
  });

  it('expands inline lists and the objects in them', async () => {
    const transfer = await get(
      `/v1/transfers/${SEED.connected.transfer}?expand[]=reversals.data.balance_transaction`,
    );
    expect(transfer.reversals.data[0].balance_transaction.object).toBe('balance_transaction');
    const customer = await get(`/v1/customers/${SEED.jenny.customer}?expand[]=sources.data.customer`);
    expect(customer.sources.data[0].customer.id).toBe(SEED.jenny.customer);
  });

  it('keeps ids the store does not hold, and accepts sub-objects listed as expandable', async () => {
    const fee = await get(
      `/v1/application_fees/${SEED.connected.applicationFee}?expand[]=application&expand[]=account`,
    );
    expect(fee.application).toBe('ca_EmulatorDemoApplication');
    expect(fee.account.id).toBe(SEED.connected.account);
    const customer = await get(`/v1/customers/${SEED.jenny.customer}?expand[]=address`);
    expect(customer.address.city).toBe('San Francisco');
  });

  it('expands arrays of references', async () => {
    const charge = await stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_visa' });
    const refund = await stripe.refunds.create(
      { charge: charge.id },
      { idempotencyKey: `refund-${charge.id}` },
    );
    const expanded = await stripe.refunds.retrieve(refund.id, { expand: ['charge.balance_transaction'] });
    expect((expanded.charge as Stripe.Charge).balance_transaction).toMatchObject({
      object: 'balance_transaction',
    });
  });
});

describe('lists', () => {
  it('filter by created ranges and exact values', async () => {
    const all = await get('/v1/customers?limit=100');
    const seeded = all.data.filter((c: Stripe.Customer) => c.created < 1_800_000_000);
    const jenny = seeded.find((c: Stripe.Customer) => c.id === SEED.jenny.customer);
    const after = await get(`/v1/customers?limit=100&created[gt]=${jenny.created}&created[lt]=1800000000`);
    expect(after.data.every((c: Stripe.Customer) => c.created > jenny.created)).toBe(true);
    expect(after.data.map((c: Stripe.Customer) => c.id)).not.toContain(SEED.jenny.customer);
    const exact = await get(`/v1/customers?created=${jenny.created}`);
    expect(exact.data.map((c: Stripe.Customer) => c.id)).toEqual([SEED.jenny.customer]);
    const range = await get(`/v1/customers?created[gte]=${jenny.created}&created[lte]=${jenny.created}`);
    expect(range.data.map((c: Stripe.Customer) => c.id)).toEqual([SEED.jenny.customer]);
  });

  it('filter by props of the item, references by id, hashes by their fields', async () => {
    expect(
      (await get(`/v1/charges?customer=${SEED.grace.customer}`)).data.map((c: Stripe.Charge) => c.id),
    ).toEqual([SEED.grace.charge]);
    expect(
      (await get(`/v1/refunds?charge=${SEED.grace.charge}`)).data.map((r: Stripe.Refund) => r.id),
    ).toEqual([SEED.grace.refund]);
    expect((await get(`/v1/charges?payment_intent=${SEED.jenny.paymentIntent}`)).data).toHaveLength(1);
    const yearly = await get('/v1/prices?recurring[interval]=year');
    expect(yearly.data.map((p: Stripe.Price) => p.id)).toEqual([SEED.prices.proYearly]);
    const products = await get(`/v1/products?ids[]=${SEED.products.basic}&ids[]=${SEED.products.pro}`);
    expect(products.data.map((p: Stripe.Product) => p.id).sort()).toEqual(
      [SEED.products.basic, SEED.products.pro].sort(),
    );
    expect((await get('/v1/products?shippable=true')).data.map((p: Stripe.Product) => p.id)).toEqual([
      SEED.products.tshirt,
    ]);
    expect((await get(`/v1/prices?product=${SEED.products.pro}&type=recurring`)).data).toHaveLength(2);
    expect((await get('/v1/payouts?status=pending')).data.map((p: Stripe.Payout) => p.id)).toContain(
      SEED.payout,
    );
    expect((await get(`/v1/balance_transactions?source=${SEED.grace.charge}`)).data).toHaveLength(1);
  });

  it('nested collections list the children of the path’s parent', async () => {
    expect(
      (await get(`/v1/customers/${SEED.dennis.customer}/tax_ids`)).data.map((t: Stripe.TaxId) => t.id),
    ).toEqual([SEED.dennis.taxId]);
    expect(
      (await get(`/v1/customers/${SEED.jenny.customer}/cards`)).data.map((c: Stripe.Card) => c.id),
    ).toEqual([SEED.jenny.card]);
    expect((await get(`/v1/customers/${SEED.jenny.customer}/bank_accounts`)).data).toEqual([]);
    const balance = await h.request('POST', `/v1/customers/${SEED.dennis.customer}/balance_transactions`, {
      body: 'amount=-500&currency=usd',
    });
    expect(balance.body).toMatchObject({
      amount: -500,
      ending_balance: -500,
      customer: SEED.dennis.customer,
    });
    expect((await get(`/v1/customers/${SEED.dennis.customer}/balance_transactions`)).data).toHaveLength(1);
    expect((await stripe.customers.retrieve(SEED.dennis.customer)) as Stripe.Customer).toMatchObject({
      balance: -500,
    });
    const person = await h.request('POST', `/v1/accounts/${SEED.connected.account}/persons`, {
      body: 'first_name=Ann&last_name=Lee',
    });
    expect(person.body).toMatchObject({
      object: 'person',
      account: SEED.connected.account,
      first_name: 'Ann',
    });
    expect(
      (await get(`/v1/accounts/${SEED.connected.account}/persons`)).data.map((p: Stripe.Person) => p.id),
    ).toEqual([person.body.id]);
    expect((await get(`/v1/accounts/${SEED.connected.account}/people/${person.body.id}`)).id).toBe(
      person.body.id,
    );
    expect((await get(`/v1/invoices/${SEED.jenny.invoice}/lines`)).data).toHaveLength(2);
  });

  it('events record changes and filter by type with wildcards', async () => {
    const customer = await stripe.customers.create({ name: 'Evented' });
    await stripe.customers.update(customer.id, { name: 'Evented 2' });
    const events = await stripe.events.list({ type: 'customer.*', limit: 2 });
    expect(events.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    expect(events.data[0]!.data).toMatchObject({
      object: { id: customer.id, name: 'Evented 2' },
      previous_attributes: { name: 'Evented' },
    });
    expect((await stripe.events.retrieve(events.data[1]!.id)).data.object).toMatchObject({ id: customer.id });
    expect((await stripe.events.list({ types: ['invoice.paid'], limit: 100 })).data.length).toBeGreaterThan(
      0,
    );
  });
});

describe('tax ids', () => {
  it('name their customer both ways, however made, and the country their number is of', async () => {
    const customer = await stripe.customers.create({
      name: 'Taxed',
      tax_id_data: [{ type: 'us_ein', value: '12-3456789' }],
    });
    const owned = await stripe.taxIds.create({
      type: 'eu_vat',
      value: 'EL123456789',
      owner: { type: 'customer', customer: customer.id },
    });
    const nested = await stripe.customers.createTaxId(customer.id, { type: 'gb_vat', value: 'GB123456789' });
    const owner = { type: 'customer', customer: customer.id };
    expect(owned).toMatchObject({ customer: customer.id, owner, country: 'GR' });
    expect(nested).toMatchObject({ customer: customer.id, owner, country: 'GB' });
    const listed = await stripe.customers.listTaxIds(customer.id);
    expect(listed.data.map((t) => [t.type, t.country, t.owner?.type])).toEqual([
      ['gb_vat', 'GB', 'customer'],
      ['eu_vat', 'GR', 'customer'],
      ['us_ein', 'US', 'customer'],
    ]);
    const mine = await stripe.taxIds.create({ type: 'eu_vat', value: 'DE123456789' });
    expect(mine).toMatchObject({ customer: null, country: 'DE', owner: { type: 'self' } });
    expect(mine.owner).not.toHaveProperty('customer');
    await expect(
      stripe.taxIds.create({
        type: 'eu_vat',
        value: 'DE1',
        owner: { type: 'customer', customer: 'cus_nope' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'owner[customer]' });
  });

  it('are listed as the account’s own unless an owner is named', async () => {
    const customer = await stripe.customers.create({
      tax_id_data: [{ type: 'us_ein', value: '98-7654321' }],
    });
    const own = await stripe.taxIds.create({ type: 'eu_vat', value: 'FR12345678901' });
    const ids = async (params: Stripe.TaxIdListParams = {}) =>
      (await stripe.taxIds.list({ limit: 100, ...params })).data.map((taxId) => taxId.id);
    const listed = await ids();
    expect(listed).toContain(own.id);
    // (every one listed is the account's own: no customer's among them)
    for (const id of listed) expect((await stripe.taxIds.retrieve(id)).owner?.type).toBe('self');
    const customers = await ids({ owner: { type: 'customer', customer: customer.id } });
    expect(customers).toHaveLength(1);
    expect(customers).not.toContain(own.id);
    expect((await stripe.customers.listTaxIds(customer.id)).data.map((taxId) => taxId.id)).toEqual(customers);
  });
});

describe('search', () => {
  it('supports exact, substring, numeric, negation and metadata clauses', async () => {
    const ids = async (resource: string, query: string) =>
      (await get(`/v1/${resource}/search?query=${encodeURIComponent(query)}&limit=100`)).data.map(
        (o: { id: string }) => o.id,
      );
    expect(await ids('customers', 'name:"jenny rosen"')).toEqual([SEED.jenny.customer]);
    expect(await ids('customers', 'email~"hopper"')).toEqual([SEED.grace.customer]);
    expect(await ids('charges', `amount>4000 AND customer:"${SEED.grace.customer}"`)).toEqual([
      SEED.grace.charge,
    ]);
    expect(await ids('charges', `-status:"succeeded" AND customer:"${SEED.tim.customer}"`)).toEqual([
      SEED.tim.declinedCharge,
    ]);
    expect(await ids('products', 'active:"true" AND name:"T-shirt"')).toEqual([SEED.products.tshirt]);
    expect((await ids('customers', 'metadata["demo"]:"true"')).length).toBe(10);
    expect(
      await ids('payment_intents', `status:"requires_payment_method" AND customer:"${SEED.alan.customer}"`),
    ).toEqual([SEED.alan.openPaymentIntent]);
    expect(await ids('invoices', `customer:"${SEED.katherine.customer}" AND total>=5000`)).toEqual([
      SEED.katherine.openInvoice,
    ]);
  });

  it('rejects unknown fields and malformed queries', async () => {
    const unknown = await h.request(
      'GET',
      `/v1/customers/search?query=${encodeURIComponent('planet:"mars"')}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      param: 'query',
      message: expect.stringContaining('unsupported search field'),
    });
    const mixed = await h.request(
      'GET',
      `/v1/customers/search?query=${encodeURIComponent('name:"a" AND email:"b" OR phone:"c"')}`,
    );
    expect(mixed.status).toBe(400);
    expect((await h.request('GET', '/v1/customers/search')).body.error).toMatchObject({
      code: 'parameter_missing',
      param: 'query',
    });
  });
});

describe('deletes', () => {
  it('a deleted customer reads as deleted (the API keeps its tombstone); others are gone', async () => {
    const customer = await stripe.customers.create({});
    await stripe.customers.del(customer.id);
    expect(await get(`/v1/customers/${customer.id}`)).toEqual({
      id: customer.id,
      object: 'customer',
      deleted: true,
    });
    expect((await get('/v1/customers?limit=100')).data.map((c: Stripe.Customer) => c.id)).not.toContain(
      customer.id,
    );
    const coupon = await stripe.coupons.create({ percent_off: 1, duration: 'once' });
    await stripe.coupons.del(coupon.id);
    expect((await h.request('GET', `/v1/coupons/${coupon.id}`)).status).toBe(404);
    expect((await h.request('DELETE', `/v1/coupons/${coupon.id}`)).status).toBe(404);
  });

  it('a product with prices cannot be deleted', async () => {
    await expect(stripe.products.del(SEED.products.basic)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('deleting a customer’s discount', async () => {
    const missing = await h.request('DELETE', `/v1/customers/${SEED.jenny.customer}/discount`);
    expect(missing.status).toBe(404);
  });
});

describe('singletons and files', () => {
  it('balance, account, tax settings and cash balance', async () => {
    // The seed's opening balance of $12,500 and the demo activity after it (see ledger.test.ts).
    const balance = await get('/v1/balance');
    expect(balance.available[0]).toMatchObject({ currency: 'usd' });
    expect(balance.available[0].amount).toBeGreaterThan(1_000_000);
    expect((await get('/v1/account')).id).toBe(SEED.platform.account);
    expect((await get('/v1/tax/settings')).object).toBe('tax.settings');
    expect(await get(`/v1/customers/${SEED.jenny.customer}/cash_balance`)).toMatchObject({
      object: 'cash_balance',
      customer: SEED.jenny.customer,
    });
  });

  it('uploads a file (multipart) and links it', async () => {
    const file = await stripe.files.create({
      purpose: 'dispute_evidence',
      file: { data: Buffer.from('evidence'), name: 'proof.txt', type: 'text/plain' },
    });
    expect(file).toMatchObject({
      object: 'file',
      filename: 'proof.txt',
      size: 8,
      type: 'txt',
      purpose: 'dispute_evidence',
      // An upload has its filename, and no title (Stripe's create-file example).
      title: null,
    });
    const link = await stripe.fileLinks.create({ file: file.id });
    expect((await stripe.fileLinks.list({ file: file.id })).data.map((l) => l.id)).toEqual([link.id]);
  });

  it('an upload expires as its purpose has it: dispute evidence in nine months, a logo never', async () => {
    const upload = (purpose: Stripe.FileCreateParams.Purpose) =>
      stripe.files.create({ purpose, file: { data: Buffer.from('x'), name: 'x.png', type: 'image/png' } });
    const evidence = await upload('dispute_evidence');
    // Nine calendar months: 273 to 276 days.
    const days = (evidence.expires_at! - evidence.created) / 86_400;
    expect(Number.isInteger(days) && days >= 273 && days <= 276).toBe(true);
    const signature = await upload('customer_signature');
    expect(signature.expires_at! - signature.created).toBe(7 * 86_400);
    for (const purpose of ['business_logo', 'identity_document', 'account_requirement'] as const)
      expect((await upload(purpose)).expires_at).toBeNull();
  });

  it('generic actions move the status where the verb says', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://example.com/ok',
      line_items: [{ price: SEED.prices.tshirt, quantity: 2 }],
    });
    expect(session).toMatchObject({
      status: 'open',
      amount_total: 4000,
      // The emulator's own hosted page (src/emulator/hosted/index.ts).
      url: `${h.emulator.url}/pay/${session.id}`,
    });
    expect((await stripe.checkout.sessions.listLineItems(session.id)).data[0]).toMatchObject({
      quantity: 2,
      amount_total: 4000,
    });
    expect((await stripe.checkout.sessions.expire(session.id)).status).toBe('expired');
    const quote = await h.request('POST', '/v1/quotes', { body: `customer=${SEED.jenny.customer}` });
    expect((await h.request('POST', `/v1/quotes/${quote.body.id}/cancel`, { body: '' })).body.status).toBe(
      'canceled',
    );
    const pdf = await h.request('GET', `/v1/quotes/${quote.body.id}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
  });
});

describe('filters on embedded objects', () => {
  it('compare the embedded object’s id', async () => {
    const codes = await get(`/v1/promotion_codes?coupon=${SEED.coupons.summer}`);
    expect(codes.data.map((p: Stripe.PromotionCode) => p.id)).toEqual([SEED.promotionCode]);
    expect((await get('/v1/promotion_codes?coupon=NOPE')).data).toEqual([]);
  });
});
