/**
 * Mutations end to end: GraphQL through the gateway (`yoga.fetch`) against the emulator. Every write
 * operation of the model has its mutation with every body parameter; create → update → delete
 * cycles; actions; the seed's card flows; idempotency and retries; Stripe's errors as typed errors.
 */
import {
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { planMutations } from '../../src/schema/mutations.ts';
import { answeringDispatcher } from '../helpers.ts';
import { type Harness, type HarnessOptions, sharedSchema, startHarness } from '../server/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Runs a mutation and returns its data, failing on any error. */
async function ok(query: string, variables?: Record<string, unknown>) {
  const response = await h.query(query, variables ? { variables } : {});
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data as Record<string, any>;
}

describe('the mutations the model asks for', () => {
  const { schema, model } = sharedSchema();
  const mutation = schema.getMutationType()!;
  const plans = planMutations(model);
  const writes = model.operations.filter((o) => ['create', 'update', 'delete', 'action'].includes(o.kind));

  /** The wire names an input object accepts, `a.b` for nested ones (oneOf alternatives looked through). */
  function wireNamesOf(schema: GraphQLSchema, type: GraphQLInputType, seen = new Set<string>()): Set<string> {
    const named = getNamedType(type);
    const out = new Set<string>();
    if (!isInputObjectType(named) || seen.has(named.name)) return out;
    seen.add(named.name);
    for (const field of Object.values((named as GraphQLInputObjectType).getFields())) {
      out.add(field.name);
      for (const inner of wireNamesOf(schema, field.type, seen)) out.add(`${field.name}.${inner}`);
    }
    return out;
  }

  it('has one mutation per write operation, with its path parameters and idempotencyKey', () => {
    expect(plans).toHaveLength(writes.length);
    expect(Object.keys(mutation.getFields())).toHaveLength(writes.length);
    for (const plan of plans) {
      const field = mutation.getFields()[plan.name];
      expect(field, plan.operation.id).toBeDefined();
      const args = field!.args.map((a) => a.name);
      expect(args).toEqual([
        ...plan.pathArgs,
        ...(plan.operation.body.length > 0 ? ['input'] : []),
        'idempotencyKey',
      ]);
      expect(plan.pathArgs).toHaveLength(plan.operation.pathParams.length);
    }
  });

  it('takes every body parameter of every write operation, camelCased, with `expand` left to the selection', () => {
    const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    let checked = 0;
    for (const plan of plans) {
      const input = mutation.getFields()[plan.name]!.args.find((a) => a.name === 'input');
      const names = input ? wireNamesOf(schema, input.type) : new Set<string>();
      for (const param of plan.operation.body) {
        expect(names.has(camel(param.name)), `${plan.name} ${param.name}`).toBe(true);
        checked++;
      }
      expect(names.has('expand')).toBe(false);
    }
    // Every body parameter of every write operation in the model.
    expect(checked).toBe(writes.reduce((sum, op) => sum + op.body.length, 0));
  });

  it('names the mutations the way a Stripe developer expects', () => {
    const names = Object.keys(mutation.getFields());
    for (const name of [
      'createCustomer',
      'updateCustomer',
      'deleteCustomer',
      'createCustomerSource',
      'updateCustomerSource',
      'deleteCustomerSource',
      'createCustomerCard',
      'updateCustomerCard',
      'deleteCustomerCard',
      'finalizeInvoice',
      'payInvoice',
      'voidInvoice',
      'confirmPaymentIntent',
      'capturePaymentIntent',
      'cancelSubscription',
      'advanceTestClock',
      'verifyCustomerSource',
      'refundApplicationFee',
      'createTransferReversal',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => /\d$/.test(n))).toEqual([]);
    const args = (name: string) => mutation.getFields()[name]!.args.map((a) => a.name);
    expect(args('updateCustomerSource')).toEqual(['customer', 'id', 'input', 'idempotencyKey']);
    expect(args('deleteCustomer')).toEqual(['id', 'idempotencyKey']);
    expect(args('createTransferReversal')).toEqual(['transfer', 'input', 'idempotencyKey']);
  });

  it('fails the build on a name clash, pointing at the naming table', () => {
    const customers = model.operations.find((o) => o.id === 'PostCustomers')!;
    const clash = { ...model, operations: [...model.operations, { ...customers, id: 'PostCustomersAgain' }] };
    expect(() => planMutations(clash)).toThrow(
      /mutation "createCustomer" comes from both PostCustomers and PostCustomersAgain; settle it in mutationNameOverrides/,
    );
  });

  it('has @oneOf inputs for alternatives and no expand input', () => {
    const trialEnd = schema.getType('StripeSubscriptionTrialEndInput') as GraphQLInputObjectType;
    expect(trialEnd.isOneOf).toBe(true);
    expect(Object.keys(trialEnd.getFields()).sort()).toEqual(['at', 'now']);
  });
});

describe('create → update → delete', () => {
  it('customers: with a nested address, metadata, an enum, and the deleted object back', async () => {
    const created = await ok(
      `mutation { createCustomer(input: {
          name: "Ada", email: "ada@example.com", taxExempt: REVERSE,
          address: { line1: "1 Main St", postalCode: "94107", country: "US" },
          metadata: { plan: "gold", team: "a" } }) {
        id name email taxExempt address { line1 postalCode } metadata } }`,
    );
    const customer = created.createCustomer;
    expect(customer).toMatchObject({
      name: 'Ada',
      taxExempt: 'REVERSE',
      address: { line1: '1 Main St', postalCode: '94107' },
      metadata: { plan: 'gold', team: 'a' },
    });
    const updated = await ok(
      `mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Ada L.", description: null, metadata: { team: "" } }) {
        id name description metadata } }`,
      { id: customer.id },
    );
    expect(updated.updateCustomer).toEqual({
      id: customer.id,
      name: 'Ada L.',
      description: null,
      metadata: { plan: 'gold' },
    });
    const deleted = await ok(`mutation($id: ID!) { deleteCustomer(id: $id) { deletedId deleted } }`, {
      id: customer.id,
    });
    expect(deleted.deleteCustomer).toEqual({ deletedId: customer.id, deleted: true });
    const after = await h.query(`query($id: ID!) { customer(id: $id) { id } }`, {
      variables: { id: customer.id },
    });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('DELETED');
  });

  it('products, prices, coupons, promotion codes, tax rates and webhook endpoints', async () => {
    const { createProduct: product } = await ok(
      `mutation { createProduct(input: { name: "Widget", metadata: { sku: "w1" } }) { id name active } }`,
    );
    expect(product).toMatchObject({ name: 'Widget', active: true });
    const { createPrice: price } = await ok(
      `mutation($p: ID!) { createPrice(input: { product: $p, currency: "usd", unitAmount: 1500,
          recurring: { interval: MONTH } }) { id unitAmount recurring { interval } product { ... on Product { name } } } }`,
      { p: product.id },
    );
    expect(price).toMatchObject({
      unitAmount: 1500,
      recurring: { interval: 'MONTH' },
      product: { name: 'Widget' },
    });
    const { updatePrice } = await ok(
      `mutation($id: ID!) { updatePrice(id: $id, input: { active: false, nickname: "Monthly" }) { active nickname } }`,
      { id: price.id },
    );
    expect(updatePrice).toEqual({ active: false, nickname: 'Monthly' });
    const { updateProduct } = await ok(
      `mutation($id: ID!) { updateProduct(id: $id, input: { name: "Gadget" }) { name } }`,
      { id: product.id },
    );
    expect(updateProduct.name).toBe('Gadget');

    const { createCoupon: coupon } = await ok(
      `mutation { createCoupon(input: { percentOff: 25, duration: ONCE, name: "Quarter" }) { id percentOff duration } }`,
    );
    expect(coupon).toMatchObject({ percentOff: 25, duration: 'ONCE' });
    const { createPromotionCode: promo } = await ok(
      `mutation($c: ID!) { createPromotionCode(input: { coupon: $c, code: "QUARTER${Date.now()}" }) { id active coupon { id } } }`,
      { c: coupon.id },
    );
    expect(promo).toMatchObject({ active: true, coupon: { id: coupon.id } });
    const { updatePromotionCode } = await ok(
      `mutation($id: ID!) { updatePromotionCode(id: $id, input: { active: false }) { active } }`,
      { id: promo.id },
    );
    expect(updatePromotionCode.active).toBe(false);
    const { updateCoupon } = await ok(
      `mutation($id: ID!) { updateCoupon(id: $id, input: { name: "25% off" }) { name } }`,
      { id: coupon.id },
    );
    expect(updateCoupon.name).toBe('25% off');
    const { deleteCoupon } = await ok(`mutation($id: ID!) { deleteCoupon(id: $id) { deletedId deleted } }`, {
      id: coupon.id,
    });
    expect(deleteCoupon).toEqual({ deletedId: coupon.id, deleted: true });

    const { createTaxRate: rate } = await ok(
      `mutation { createTaxRate(input: { displayName: "VAT", percentage: 20, inclusive: false }) { id displayName percentage } }`,
    );
    expect(rate).toMatchObject({ displayName: 'VAT', percentage: 20 });
    const { updateTaxRate } = await ok(
      `mutation($id: ID!) { updateTaxRate(id: $id, input: { active: false }) { active } }`,
      { id: rate.id },
    );
    expect(updateTaxRate.active).toBe(false);

    const { createWebhookEndpoint: hook } = await ok(
      `mutation { createWebhookEndpoint(input: { url: "https://example.com/hook", enabledEvents: [CUSTOMER_CREATED] }) {
          id url enabledEvents } }`,
    );
    expect(hook).toMatchObject({ url: 'https://example.com/hook', enabledEvents: ['customer.created'] });
    const { updateWebhookEndpoint } = await ok(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { disabled: true }) { status } }`,
      { id: hook.id },
    );
    expect(updateWebhookEndpoint.status).toBe('disabled');
    const { deleteWebhookEndpoint } = await ok(
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedId deleted } }`,
      { id: hook.id },
    );
    expect(deleteWebhookEndpoint.deleted).toBe(true);

    const { deleteProduct } = await ok(
      `mutation($id: ID!) { deleteProduct(id: $id) { deletedId deleted } }`,
      {
        id: (await ok(`mutation { createProduct(input: { name: "Temp" }) { id } }`)).createProduct.id,
      },
    );
    expect(deleteProduct.deleted).toBe(true);
  });

  it('invoices and invoice items: create, update, finalize, pay; a draft deleted', async () => {
    const { createCustomer: customer } = await ok(
      `mutation { createCustomer(input: { name: "Billed", source: "tok_visa" }) { id } }`,
    );
    const { createInvoiceitem: item } = await ok(
      `mutation($c: ID!) { createInvoiceitem(input: { customer: $c, amount: 2500, currency: "usd", description: "Setup" }) {
          id amount description } }`,
      { c: customer.id },
    );
    expect(item).toMatchObject({ amount: 2500, description: 'Setup' });
    const { updateInvoiceitem } = await ok(
      `mutation($id: ID!) { updateInvoiceitem(id: $id, input: { description: "Setup fee" }) { description } }`,
      { id: item.id },
    );
    expect(updateInvoiceitem.description).toBe('Setup fee');
    const { createInvoice: invoice } = await ok(
      `mutation($c: ID!) { createInvoice(input: { customer: $c, pendingInvoiceItemsBehavior: INCLUDE, collectionMethod: CHARGE_AUTOMATICALLY }) {
          id status amountDue customer { ... on Customer { name } } } }`,
      { c: customer.id },
    );
    expect(invoice).toMatchObject({ status: 'DRAFT', amountDue: 2500, customer: { name: 'Billed' } });
    const { updateInvoice } = await ok(
      `mutation($id: ID!) { updateInvoice(id: $id, input: { description: "March" }) { description } }`,
      { id: invoice.id },
    );
    expect(updateInvoice.description).toBe('March');
    const { finalizeInvoice } = await ok(`mutation($id: ID!) { finalizeInvoice(id: $id) { status } }`, {
      id: invoice.id,
    });
    expect(finalizeInvoice.status).toBe('OPEN');
    const { payInvoice } = await ok(`mutation($id: ID!) { payInvoice(id: $id) { status paid amountPaid } }`, {
      id: invoice.id,
    });
    expect(payInvoice).toEqual({ status: 'PAID', paid: true, amountPaid: 2500 });

    const { createInvoice: draft } = await ok(
      `mutation($c: ID!) { createInvoice(input: { customer: $c }) { id } }`,
      { c: customer.id },
    );
    const { deleteInvoice } = await ok(
      `mutation($id: ID!) { deleteInvoice(id: $id) { deletedId deleted } }`,
      {
        id: draft.id,
      },
    );
    expect(deleteInvoice).toEqual({ deletedId: draft.id, deleted: true });
    const { createInvoiceitem: other } = await ok(
      `mutation($c: ID!) { createInvoiceitem(input: { customer: $c, amount: 100, currency: "usd" }) { id } }`,
      { c: customer.id },
    );
    const { deleteInvoiceitem } = await ok(
      `mutation($id: ID!) { deleteInvoiceitem(id: $id) { deletedId deleted } }`,
      { id: other.id },
    );
    expect(deleteInvoiceitem.deleted).toBe(true);
  });

  it('subscriptions: create, update, cancel', async () => {
    const { createSubscription: sub } = await ok(
      `mutation($c: ID!, $p: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p }] }) {
          id status items { nodes { price { id } } } } }`,
      { c: SEED.jenny.customer, p: SEED.prices.basicMonthly },
    );
    expect(sub.status).toBe('ACTIVE');
    expect(sub.items.nodes[0].price.id).toBe(SEED.prices.basicMonthly);
    const { updateSubscription } = await ok(
      `mutation($id: ID!) { updateSubscription(id: $id, input: { metadata: { seat: "3" }, cancelAtPeriodEnd: true }) {
          metadata cancelAtPeriodEnd } }`,
      { id: sub.id },
    );
    expect(updateSubscription).toEqual({ metadata: { seat: '3' }, cancelAtPeriodEnd: true });
    const { cancelSubscription } = await ok(
      `mutation($id: ID!) { cancelSubscription(id: $id, input: { prorate: false }) { id status canceledAt } }`,
      { id: sub.id },
    );
    expect(cancelSubscription).toMatchObject({ id: sub.id, status: 'CANCELED' });
    expect(cancelSubscription.canceledAt).toEqual(expect.any(String));
  });

  it("a subscription's Connect terms reach it and its invoice", async () => {
    const { createSubscription: sub } = await ok(
      `mutation($c: ID!, $p: ID!, $a: ID!) { createSubscription(input: { customer: $c, items: [{ price: $p }],
          transferData: { destination: $a, amountPercent: 80 }, onBehalfOf: $a, applicationFeePercent: 12.5 }) {
          applicationFeePercent onBehalfOf { id } transferData { amountPercent destination { id } }
          latestInvoice { total applicationFeeAmount transferData { amount destination { id } } } } }`,
      { c: SEED.jenny.customer, p: SEED.prices.basicMonthly, a: SEED.connected.account },
    );
    const account = { id: SEED.connected.account };
    expect(sub).toMatchObject({
      applicationFeePercent: 12.5,
      onBehalfOf: account,
      transferData: { amountPercent: 80, destination: account },
    });
    const { total, ...invoice } = sub.latestInvoice;
    expect(total).toBeGreaterThan(0);
    expect(invoice).toEqual({
      applicationFeeAmount: Math.round(total * 0.125),
      transferData: { amount: Math.round(total * 0.8), destination: account },
    });
  });

  it('@oneOf alternatives reach Stripe as the one value they carry', async () => {
    const trialEnd = new Date(Date.now() + 7 * 86_400_000);
    trialEnd.setUTCMilliseconds(0);
    const { createSubscription: trial } = await ok(
      `mutation($c: ID!, $p: ID!, $at: DateTime!) {
        createSubscription(input: { customer: $c, items: [{ price: $p }], trialEnd: { at: $at } }) { id status trialEnd } }`,
      { c: SEED.jenny.customer, p: SEED.prices.basicMonthly, at: trialEnd.toISOString() },
    );
    expect(trial).toMatchObject({ status: 'TRIALING', trialEnd: trialEnd.toISOString() });
    const { updateSubscription } = await ok(
      `mutation($id: ID!) { updateSubscription(id: $id, input: { trialEnd: { now: true } }) { status } }`,
      { id: trial.id },
    );
    expect(updateSubscription.status).toBe('ACTIVE');
    const both = await h.query(
      `mutation($id: ID!) { updateSubscription(id: $id, input: { trialEnd: { now: true, at: "2030-01-01T00:00:00Z" } }) { id } }`,
      { variables: { id: trial.id } },
    );
    expect(both.body.errors?.[0]?.message).toMatch(/exactly one/i);
  });

  it("updateSubscription's trialEnd moves a trial's end, its period's and its cycle's", async () => {
    const at = (days: number) => {
      const date = new Date(Date.now() + days * 86_400_000);
      date.setUTCMilliseconds(0);
      return date.toISOString();
    };
    const { createSubscription: trial } = await ok(
      `mutation($c: ID!, $p: ID!, $at: DateTime!) {
        createSubscription(input: { customer: $c, items: [{ price: $p }], trialEnd: { at: $at } }) { id } }`,
      { c: SEED.jenny.customer, p: SEED.prices.basicMonthly, at: at(7) },
    );
    const later = at(21);
    const { updateSubscription } = await ok(
      `mutation($id: ID!, $at: DateTime!) { updateSubscription(id: $id, input: { trialEnd: { at: $at } }) {
        status trialEnd currentPeriodEnd billingCycleAnchor } }`,
      { id: trial.id, at: later },
    );
    expect(updateSubscription).toEqual({
      status: 'TRIALING',
      trialEnd: later,
      currentPeriodEnd: later,
      billingCycleAnchor: later,
    });
  });

  it('payment intents: create, update, confirm, capture', async () => {
    const { createPaymentIntent: intent } = await ok(
      `mutation { createPaymentIntent(input: { amount: 4200, currency: "usd", captureMethod: MANUAL,
          paymentMethodTypes: ["card"] }) { id status amount } }`,
    );
    expect(intent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: 4200 });
    const { updatePaymentIntent } = await ok(
      `mutation($id: ID!) { updatePaymentIntent(id: $id, input: { description: "Order 7" }) { description } }`,
      { id: intent.id },
    );
    expect(updatePaymentIntent.description).toBe('Order 7');
    const { confirmPaymentIntent } = await ok(
      `mutation($id: ID!) { confirmPaymentIntent(id: $id, input: { paymentMethod: "pm_card_visa" }) { status } }`,
      { id: intent.id },
    );
    expect(confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    const { capturePaymentIntent } = await ok(
      `mutation($id: ID!) { capturePaymentIntent(id: $id, input: { amountToCapture: 4000 }) { status amountReceived } }`,
      { id: intent.id },
    );
    expect(capturePaymentIntent).toEqual({ status: 'SUCCEEDED', amountReceived: 4000 });
  });

  it('accounts, transfers and reversals', async () => {
    const { createAccount: account } = await ok(
      // Onboarded (Stripe's test values): its `transfers` capability is active, so it receives transfers.
      `mutation { createAccount(input: { type: CUSTOM, country: "US", email: "shop@example.com",
          capabilities: { transfers: { requested: true } }, externalAccount: { id: "btok_us_verified" },
          businessType: COMPANY, businessProfile: { mcc: "5734", url: "https://shop.example.com" },
          company: { name: "Shop LLC", phone: "0000000000", taxId: "000000000", address: {
            line1: "address_full_match", city: "San Francisco", state: "CA", postalCode: "94103" } },
          tosAcceptance: { date: "2024-01-01T00:00:00Z", ip: "127.0.0.1" } }) { id email type } }`,
    );
    expect(account).toMatchObject({ email: 'shop@example.com', type: 'CUSTOM' });
    const { updateAccount } = await ok(
      `mutation($id: ID!) { updateAccount(id: $id, input: { email: "store@example.com" }) { email } }`,
      { id: account.id },
    );
    expect(updateAccount.email).toBe('store@example.com');
    const { createTransfer: transfer } = await ok(
      `mutation($d: ID!) { createTransfer(input: { amount: 1000, currency: "usd", destination: $d }) {
          id amount destination { ... on Account { email } } } }`,
      { d: account.id },
    );
    expect(transfer).toMatchObject({ amount: 1000, destination: { email: 'store@example.com' } });
    const { updateTransfer } = await ok(
      `mutation($id: ID!) { updateTransfer(id: $id, input: { description: "Payout share" }) { description } }`,
      { id: transfer.id },
    );
    expect(updateTransfer.description).toBe('Payout share');
    const { createTransferReversal: reversal } = await ok(
      `mutation($t: ID!) { createTransferReversal(transfer: $t, input: { amount: 300 }) { id amount } }`,
      { t: transfer.id },
    );
    expect(reversal.amount).toBe(300);
    const { updateTransferReversal } = await ok(
      `mutation($t: ID!, $id: ID!) { updateTransferReversal(transfer: $t, id: $id, input: { metadata: { why: "returned" } }) { metadata } }`,
      { t: transfer.id, id: reversal.id },
    );
    expect(updateTransferReversal.metadata).toEqual({ why: 'returned' });
    const { deleteAccount } = await ok(
      `mutation($id: ID!) { deleteAccount(id: $id) { deletedId deleted } }`,
      {
        id: account.id,
      },
    );
    expect(deleteAccount).toEqual({ deletedId: account.id, deleted: true });
  });
});

describe('file uploads', () => {
  it('takes a file through the GraphQL multipart request spec and uploads it to Stripe as multipart', async () => {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: `mutation($file: Upload!) { createFile(input: { file: $file, purpose: DISPUTE_EVIDENCE }) {
          id filename title size type purpose } }`,
        variables: { file: null },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File(['%PDF-1.4 receipt'], 'receipt.pdf', { type: 'application/pdf' }));
    const response = await h.fetch('/graphql', {
      method: 'POST',
      headers: { 'x-graphql-yoga-csrf': '1' },
      body: form,
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.createFile).toMatchObject({
      filename: 'receipt.pdf',
      title: null,
      size: 16,
      type: 'pdf',
      purpose: 'DISPUTE_EVIDENCE',
    });
    const { file } = await ok(`query($id: ID!) { file(id: $id) { id filename size } }`, {
      id: body.data.createFile.id,
    });
    expect(file).toEqual({ id: body.data.createFile.id, filename: 'receipt.pdf', size: 16 });
  });
});

describe("the seed's card flows", () => {
  const CARD = `... on Card { id name addressCity addressCountry addressLine1 addressLine2 addressState addressZip expMonth expYear metadata }`;

  it('updates a card: name, address, expiry, and metadata with one key unset by an empty value', async () => {
    const { updateCustomerSource: first } = await ok(
      `mutation($c: ID!, $id: ID!) { updateCustomerSource(customer: $c, id: $id, input: {
          name: "Jenny Rosen", addressCity: "San Francisco", addressCountry: "US", addressLine1: "510 Townsend St",
          addressLine2: "Floor 2", addressState: "CA", addressZip: "94103", expMonth: 12, expYear: 2030,
          metadata: { order: "6735", gift: "yes" } }) { ${CARD} } }`,
      { c: SEED.jenny.customer, id: SEED.jenny.card },
    );
    expect(first).toEqual({
      id: SEED.jenny.card,
      name: 'Jenny Rosen',
      addressCity: 'San Francisco',
      addressCountry: 'US',
      addressLine1: '510 Townsend St',
      addressLine2: 'Floor 2',
      addressState: 'CA',
      addressZip: '94103',
      expMonth: 12,
      expYear: 2030,
      metadata: { order: '6735', gift: 'yes' },
    });
    const { updateCustomerCard: second } = await ok(
      `mutation($c: ID!, $id: ID!) { updateCustomerCard(customer: $c, id: $id, input: { metadata: { gift: "" }, addressLine2: null }) {
          ${CARD} } }`,
      { c: SEED.jenny.customer, id: SEED.jenny.card },
    );
    // `metadata: { gift: "" }` unsets one key; `addressLine2: null` unsets the field (Stripe's "").
    expect(second).toMatchObject({ name: 'Jenny Rosen', addressLine2: null, metadata: { order: '6735' } });
  });

  it('refuses an expiry month outside 1–12 as Stripe’s card error, and keeps the card as it was', async () => {
    const update = (expMonth: number) =>
      h.query(
        `mutation($c: ID!, $id: ID!, $m: SafeInt) { updateCustomerSource(customer: $c, id: $id, input: { expMonth: $m }) {
          ${CARD} } }`,
        { variables: { c: SEED.jenny.customer, id: SEED.jenny.card, m: expMonth } },
      );
    const before = await ok(`query($c: ID!, $id: ID!) { card(customer: $c, id: $id) { expMonth } }`, {
      c: SEED.jenny.customer,
      id: SEED.jenny.card,
    });
    const { body } = await update(13);
    expect(body.data?.updateCustomerSource).toBeNull();
    expect(body.errors?.[0]?.message).toBe("Your card's expiration month is invalid.");
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_CARD_ERROR',
      stripe: { type: 'card_error', code: 'invalid_expiry_month', param: 'exp_month' },
    });
    const after = await ok(`query($c: ID!, $id: ID!) { card(customer: $c, id: $id) { expMonth } }`, {
      c: SEED.jenny.customer,
      id: SEED.jenny.card,
    });
    expect(after).toEqual(before);
  });

  it('reads the seeded card’s CVC as checked, as attaching it to Jenny checked it', async () => {
    const { card } = await ok(
      `query($c: ID!, $id: ID!) { card(customer: $c, id: $id) { cvcCheck addressLine1Check addressZipCheck } }`,
      { c: SEED.jenny.customer, id: SEED.jenny.card },
    );
    expect(card).toEqual({ cvcCheck: 'pass', addressLine1Check: null, addressZipCheck: null });
  });

  it('lists a customer’s cards with first: 3, newest first', async () => {
    const { createCustomer: customer } = await ok(
      `mutation { createCustomer(input: { name: "Four cards" }) { id } }`,
    );
    const ids: string[] = [];
    for (const token of ['tok_visa', 'tok_mastercard', 'tok_amex', 'tok_discover']) {
      const { createCustomerCard } = await ok(
        `mutation($c: ID!, $t: ID!) { createCustomerCard(customer: $c, input: { source: $t }) { ... on Card { id } } }`,
        { c: customer.id, t: token },
      );
      ids.push(createCustomerCard.id);
    }
    const { customer: listed } = await ok(
      `query($id: ID!) { customer(id: $id) { cards(first: 3) { nodes { id brand last4 } pageInfo { hasNextPage } } } }`,
      { id: customer.id },
    );
    expect(listed.cards.nodes.map((c: { id: string }) => c.id)).toEqual(ids.slice(1).reverse());
    expect(listed.cards.pageInfo.hasNextPage).toBe(true);
  });

  it('retrieves a card', async () => {
    const { card } = await ok(
      `query($c: ID!, $id: ID!) { card(customer: $c, id: $id) { id brand last4 customerId } }`,
      {
        c: SEED.jenny.customer,
        id: SEED.jenny.card,
      },
    );
    expect(card).toEqual({
      id: SEED.jenny.card,
      brand: 'Visa',
      last4: '4242',
      customerId: SEED.jenny.customer,
    });
  });

  it('deletes cards: the default moves to the most recently added source, and to null after the last', async () => {
    const { createCustomer: customer } = await ok(
      `mutation { createCustomer(input: { name: "Cards" }) { id } }`,
    );
    const add = async (token: string) =>
      (
        await ok(
          `mutation($c: ID!, $t: ID!) { createCustomerSource(customer: $c, input: { source: $t }) { ... on Card { id } } }`,
          { c: customer.id, t: token },
        )
      ).createCustomerSource.id as string;
    const visa = await add('tok_visa');
    const mastercard = await add('tok_mastercard');
    const amex = await add('tok_amex');
    const defaultSource = async () =>
      (
        await ok(
          `query($id: ID!) { customer(id: $id) { defaultSourceId sources { nodes { ... on Card { id } } } } }`,
          {
            id: customer.id,
          },
        )
      ).customer;
    expect((await defaultSource()).defaultSourceId).toBe(visa);

    const { deleteCustomerCard } = await ok(
      `mutation($c: ID!, $id: ID!) { deleteCustomerCard(customer: $c, id: $id) { ... on DeletedCard { deletedId deleted } } }`,
      { c: customer.id, id: visa },
    );
    expect(deleteCustomerCard).toEqual({ deletedId: visa, deleted: true });
    expect((await defaultSource()).defaultSourceId).toBe(amex);
    await ok(
      `mutation($c: ID!, $id: ID!) { deleteCustomerSource(customer: $c, id: $id) { ... on DeletedCard { deletedId } } }`,
      {
        c: customer.id,
        id: mastercard,
      },
    );
    expect((await defaultSource()).defaultSourceId).toBe(amex);
    await ok(
      `mutation($c: ID!, $id: ID!) { deleteCustomerSource(customer: $c, id: $id) { ... on DeletedCard { deletedId } } }`,
      {
        c: customer.id,
        id: amex,
      },
    );
    expect(await defaultSource()).toEqual({ defaultSourceId: null, sources: { nodes: [] } });
  });
});

describe('a bank account source', () => {
  it('is verified with its micro-deposits through verifyCustomerSource, refused a charge before, debited after', async () => {
    const { createCustomer: customer } = await ok(
      `mutation { createCustomer(input: { name: "ACH", source: "btok_us" }) {
          id defaultSource { ... on BankAccount { id status } } } }`,
    );
    const bank = customer.defaultSource.id as string;
    expect(customer.defaultSource.status).toBe('new');
    const refused = await h.query(
      `mutation($c: ID!) { createCharge(input: { amount: 1000, currency: "usd", customer: $c }) { id } }`,
      { variables: { c: customer.id } },
    );
    expect(refused.body.errors?.[0]).toMatchObject({
      message: "The customer's bank account must be verified in order to create an ACH payment.",
      extensions: { code: 'STRIPE_INVALID_REQUEST' },
    });
    const verify = (amounts: number[]) =>
      h.query(
        `mutation($c: ID!, $id: ID!, $amounts: [SafeInt!]) {
          verifyCustomerSource(customer: $c, id: $id, input: { amounts: $amounts }) { id status } }`,
        { variables: { c: customer.id, id: bank, amounts } },
      );
    const wrong = await verify([1, 2]);
    expect(wrong.body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_INVALID_REQUEST',
      stripe: { code: 'bank_account_verification_failed' },
      inputPath: 'input.amounts',
    });
    expect((await verify([32, 45])).body.data).toEqual({
      verifyCustomerSource: { id: bank, status: 'verified' },
    });
    const { createCharge } = await ok(
      `mutation($c: ID!) { createCharge(input: { amount: 1000, currency: "usd", customer: $c }) {
          paymentMethodId paymentMethodDetails { type card { last4 } achDebit { last4 bankName } } balanceTransaction { fee } } }`,
      { c: customer.id },
    );
    expect(createCharge).toEqual({
      paymentMethodId: bank,
      paymentMethodDetails: {
        type: 'ach_debit',
        card: null,
        achDebit: { last4: '6789', bankName: 'STRIPE TEST BANK' },
      },
      balanceTransaction: { fee: 8 },
    });
  });
});

describe('a tax id', () => {
  it('made through createTaxId for a customer is among the customer’s, with its country', async () => {
    const { createCustomer: customer } = await ok(
      'mutation { createCustomer(input: { name: "VAT" }) { id } }',
    );
    const { createTaxId } = await ok(
      `mutation($c: ID!) { createTaxId(input: { type: EU_VAT, value: "DE123456789", owner: { type: CUSTOMER, customer: $c } }) {
          id country customerId owner { type customerId } } }`,
      { c: customer.id },
    );
    expect(createTaxId).toMatchObject({
      country: 'DE',
      customerId: customer.id,
      owner: { type: 'CUSTOMER', customerId: customer.id },
    });
    const { customer: read } = await ok(
      `query($c: ID!) { customer(id: $c) { taxIds { nodes { id country } } } }`,
      {
        c: customer.id,
      },
    );
    expect(read.taxIds.nodes).toEqual([{ id: createTaxId.id, country: 'DE' }]);
  });
});

describe('a dispute inquiry', () => {
  it('reads closed once its charge is refunded in full through createRefund', async () => {
    const { createPaymentIntent: intent } = await ok(
      `mutation { createPaymentIntent(input: { amount: 2500, currency: "usd", paymentMethod: "pm_card_createDisputeInquiry",
          paymentMethodTypes: ["card"], confirm: true }) { id latestCharge { disputes { nodes { status } } } } }`,
    );
    expect(intent.latestCharge.disputes.nodes).toEqual([{ status: 'WARNING_NEEDS_RESPONSE' }]);
    const { createRefund } = await ok(
      `mutation($pi: ID!) { createRefund(input: { paymentIntent: $pi }) {
          charge { refunded disputes { nodes { status } } } } }`,
      { pi: intent.id },
    );
    expect(createRefund.charge).toEqual({
      refunded: true,
      disputes: { nodes: [{ status: 'WARNING_CLOSED' }] },
    });
  });
});

describe('results', () => {
  it('fold the selected references into the write’s expand[]: one upstream call', async () => {
    h.upstreamCalls();
    const { createPrice } = await ok(
      `mutation($p: ID!) { createPrice(input: { product: $p, currency: "eur", unitAmount: 700 }) {
          unitAmount product { ... on Product { id name } } } }`,
      { p: SEED.products.tshirt },
    );
    expect(createPrice.product.id).toBe(SEED.products.tshirt);
    expect(h.upstreamCalls()).toBe(1);
  });

  it('read a currency given in capitals as Stripe answers it, in lowercase: one balance per currency', async () => {
    const pending = async () =>
      (await ok('{ balance { pending { currency } } }')).balance.pending.map(
        (b: { currency: string }) => b.currency,
      );
    const before = await pending();
    const { createPaymentIntent } = await ok(
      `mutation { createPaymentIntent(input: { amount: 1000, currency: "USD", paymentMethod: "pm_card_visa",
          paymentMethodTypes: ["card"], confirm: true }) { currency latestCharge { currency balanceTransaction { currency } } } }`,
    );
    expect(createPaymentIntent).toEqual({
      currency: 'usd',
      latestCharge: { currency: 'usd', balanceTransaction: { currency: 'usd' } },
    });
    expect(await pending()).toEqual(before);
  });

  it('read a tiered price’s tiers with each amount also as its decimal', async () => {
    const { createPrice } = await ok(
      `mutation($p: ID!) { createPrice(input: { product: $p, currency: "usd", billingScheme: TIERED, tiersMode: GRADUATED,
          recurring: { interval: MONTH }, tiers: [{ upTo: { value: 10 }, unitAmount: 500 },
          { upTo: { inf: true }, unitAmount: 400, flatAmount: 100 }] }) {
          tiers { upTo unitAmount unitAmountDecimal flatAmount flatAmountDecimal } } }`,
      { p: SEED.products.tshirt },
    );
    expect(createPrice.tiers).toEqual([
      { upTo: 10, unitAmount: 500, unitAmountDecimal: '500', flatAmount: null, flatAmountDecimal: null },
      { upTo: null, unitAmount: 400, unitAmountDecimal: '400', flatAmount: 100, flatAmountDecimal: '100' },
    ]);
  });

  it('refuse a price with nothing to bill by, naming the missing parameter', async () => {
    const { body } = await h.query(
      `mutation($p: ID!) { createPrice(input: { product: $p, currency: "usd", billingScheme: TIERED,
          recurring: { interval: MONTH } }) { id } }`,
      { variables: { p: SEED.products.tshirt } },
    );
    expect(body.data?.createPrice).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      message: 'Missing required param: tiers.',
      extensions: { code: 'STRIPE_INVALID_REQUEST', inputPath: 'input.tiers' },
    });
  });

  it('run as the connected account the request acts as (Stripe-Account)', async () => {
    const account = SEED.connected.account;
    const response = await h.query(`mutation { createCustomer(input: { name: "Scoped" }) { id } }`, {
      headers: { 'stripe-account': account },
    });
    const id = (response.body.data as any).createCustomer.id as string;
    const scoped = await h.admin.request({
      method: 'GET',
      path: '/v1/customers/{c}',
      pathParams: { c: id },
      stripeAccount: account,
    });
    expect(scoped).toMatchObject({ id, name: 'Scoped' });
    await expect(
      h.admin.request({ method: 'GET', path: '/v1/customers/{c}', pathParams: { c: id } }),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('retries and idempotency', () => {
  const countCustomers = async (email: string) =>
    (await h.admin.request<{ data: unknown[] }>({ method: 'GET', path: '/v1/customers', params: { email } }))
      .data.length;

  it('the same idempotencyKey twice creates one object', async () => {
    const email = `idem-${Date.now()}@example.com`;
    const query = `mutation($e: String!) { createCustomer(idempotencyKey: "k-${email}", input: { email: $e }) { id } }`;
    const first = await ok(query, { e: email });
    const second = await ok(query, { e: email });
    expect(second.createCustomer.id).toBe(first.createCustomer.id);
    expect(await countCustomers(email)).toBe(1);
  });

  it('the same key and input with another selection replays the write, the selection read after it', async () => {
    const customer = (
      await ok(`mutation { createCustomer(input: { email: "idem-select@example.com" }) { id } }`)
    ).createCustomer.id as string;
    const key = `k-select-${Date.now()}`;
    const write = (selection: string) =>
      `mutation { createSetupIntent(idempotencyKey: "${key}", input: { customer: "${customer}" }) { ${selection} } }`;
    h.upstreamCalls();
    const first = await h.query(write('id'));
    expect(first.body.errors).toBeUndefined();
    expect(h.upstreamCalls()).toBe(1);
    const second = await h.query(write('id customer { ... on Customer { id email } }'));
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data).toEqual({
      createSetupIntent: {
        id: (first.body.data as { createSetupIntent: { id: string } }).createSetupIntent.id,
        customer: { id: customer, email: 'idem-select@example.com' },
      },
    });
    // The write (replayed) and the read of what it selects, as estimated.
    const cost = second.body.extensions?.cost as {
      estimatedUpstreamCalls: number;
      actualUpstreamCalls: number;
    };
    expect(cost).toMatchObject({ estimatedUpstreamCalls: 2, actualUpstreamCalls: 2 });
    const setupIntents = await h.admin.request<{ data: unknown[] }>({
      method: 'GET',
      path: '/v1/setup_intents',
      params: { customer },
    });
    expect(setupIntents.data).toHaveLength(1);
  });

  it('the same key with other input is a typed idempotency error', async () => {
    const key = `k-${Date.now()}`;
    await ok(`mutation { createCustomer(idempotencyKey: "${key}", input: { name: "A" }) { id } }`);
    const response = await h.query(
      `mutation { createCustomer(idempotencyKey: "${key}", input: { name: "B" }) { id } }`,
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('STRIPE_IDEMPOTENCY_ERROR');
  });

  it('a mutation the REST client retries after an injected 500 creates one object', async () => {
    const retrying = await startHarness({ STRIPE_MAX_RETRIES: '2' });
    try {
      const email = `retry-${Date.now()}@example.com`;
      retrying.emulator.setFaults({ errorRate500: 1 });
      const before = retrying.emulator.stats().total;
      const pending = retrying.query(
        `mutation($e: String!) { createCustomer(input: { email: $e }) { id email } }`,
        {
          variables: { e: email },
        },
      );
      // Lift the fault once the first attempt has been answered 500: the retry (same key) succeeds.
      while (retrying.emulator.stats().total === before) await new Promise((r) => setTimeout(r, 2));
      retrying.emulator.setFaults({});
      const response = await pending;
      expect(response.body.errors).toBeUndefined();
      expect((response.body.data as any).createCustomer.email).toBe(email);
      const listed = await retrying.admin.request<{ data: unknown[] }>({
        method: 'GET',
        path: '/v1/customers',
        params: { email },
      });
      expect(listed.data).toHaveLength(1);
    } finally {
      await retrying.close();
    }
  });
});

describe('bad input', () => {
  it('missing required input fails validation before any call to Stripe', async () => {
    h.upstreamCalls();
    const response = await h.query(`mutation { createPrice(input: { unitAmount: 100 }) { id } }`);
    expect(response.body.errors?.[0]?.message).toMatch(/currency.*required/);
    expect(h.upstreamCalls()).toBe(0);
  });

  it('a wrong enum value fails validation before any call to Stripe', async () => {
    h.upstreamCalls();
    const response = await h.query(`mutation { createCustomer(input: { taxExempt: SOMETIMES }) { id } }`);
    expect(response.body.errors?.[0]?.message).toMatch(/SOMETIMES/);
    expect(h.upstreamCalls()).toBe(0);
  });

  it('an unknown id is NOT_FOUND, with the argument named', async () => {
    const response = await h.query(
      `mutation { updateCustomer(id: "cus_nope", input: { name: "x" }) { id } }`,
    );
    expect(response.body.data).toEqual({ updateCustomer: null });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      stripe: { statusCode: 404, requestId: expect.any(String) },
      inputPath: 'id',
    });
    const nested = await h.query(
      `mutation { updateCustomerSource(customer: "cus_nope", id: "card_nope", input: { name: "x" }) { __typename } }`,
    );
    expect(nested.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', inputPath: 'customer' });
  });

  it('Stripe’s param becomes the GraphQL input path', async () => {
    const response = await h.query(
      `mutation($c: ID!) { createSubscription(input: { customer: $c, items: [{ price: "price_nope" }] }) { id } }`,
      { variables: { c: SEED.jenny.customer } },
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_INVALID_REQUEST',
      stripe: { statusCode: 400, code: 'resource_missing', param: 'items[0][price]' },
      inputPath: 'input.items.0.price',
    });
  });

  it('a param inside a @oneOf alternative maps through it (card[number] → input.card.details.number)', async () => {
    const response = await h.query(
      `mutation($c: ID!) { createCustomerSource(customer: $c, input: {
          card: { details: { number: "4242424242424241", expMonth: 12, expYear: 2030 } } }) { __typename } }`,
      { variables: { c: SEED.jenny.customer } },
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_CARD_ERROR',
      stripe: { code: 'incorrect_number', param: 'card[number]', statusCode: 402 },
      inputPath: 'input.card.details.number',
    });
  });

  it('a declined card (tok_chargeDeclined) is a 402 STRIPE_CARD_ERROR with its decline code, and creates no charge', async () => {
    const description = `declined-${Date.now()}`;
    const response = await h.query(
      `mutation($d: String!) { createCharge(input: { amount: 500, currency: "usd", source: "tok_chargeDeclined", description: $d }) { id } }`,
      { variables: { d: description } },
    );
    expect(response.body.data).toEqual({ createCharge: null });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'STRIPE_CARD_ERROR',
      stripe: { statusCode: 402, code: 'card_declined', declineCode: 'generic_decline' },
    });
  });

  it('a 429 from Stripe is STRIPE_RATE_LIMITED and nothing is created', async () => {
    const email = `limited-${Date.now()}@example.com`;
    h.emulator.setFaults({ errorRate429: 1 });
    try {
      const response = await h.query(
        `mutation($e: String!) { createCustomer(input: { email: $e }) { id } }`,
        {
          variables: { e: email },
        },
      );
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'STRIPE_RATE_LIMITED',
        stripe: { statusCode: 429 },
      });
    } finally {
      h.emulator.setFaults({});
    }
    const listed = await h.admin.request<{ data: unknown[] }>({
      method: 'GET',
      path: '/v1/customers',
      params: { email },
    });
    expect(listed.data).toHaveLength(0);
  });

  it('a 409 from Stripe is STRIPE_CONFLICT; retried with the same key it creates one object', async () => {
    // In front of the emulator, the first `conflicts` POSTs are answered 409 lock_timeout.
    let conflicts = 0;
    const keys: string[] = [];
    const conflicting: HarnessOptions = {
      wrapDispatcher: () =>
        answeringDispatcher(new EmulatorDispatcher(h.emulator.service), ({ method, headers }) => {
          if (method !== 'POST') return undefined;
          keys.push(String(headers['idempotency-key']));
          if (conflicts === 0) return undefined;
          conflicts--;
          return {
            status: 409,
            headers: { 'request-id': 'req_conflict' },
            body: { error: { type: 'invalid_request_error', code: 'lock_timeout', message: 'locked' } },
          };
        }),
    };
    const strict = await startHarness({ STRIPE_SECRET_KEY: h.emulator.key }, conflicting);
    const retrying = await startHarness(
      { STRIPE_SECRET_KEY: h.emulator.key, STRIPE_MAX_RETRIES: '2' },
      conflicting,
    );
    try {
      const create = (g: Harness, email: string) =>
        g.query(`mutation($e: String!) { createCustomer(input: { email: $e }) { id } }`, {
          variables: { e: email },
        });
      const count = async (email: string) =>
        (
          await h.admin.request<{ data: unknown[] }>({
            method: 'GET',
            path: '/v1/customers',
            params: { email },
          })
        ).data.length;

      conflicts = 1;
      const failed = `conflict-${Date.now()}@example.com`;
      const response = await create(strict, failed);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'STRIPE_CONFLICT',
        stripe: { statusCode: 409, code: 'lock_timeout', requestId: 'req_conflict' },
      });
      expect(await count(failed)).toBe(0);

      conflicts = 1;
      keys.length = 0;
      const retried = `retried-${Date.now()}@example.com`;
      expect((await create(retrying, retried)).body.errors).toBeUndefined();
      expect(keys).toHaveLength(2);
      expect(keys[1]).toBe(keys[0]);
      expect(await count(retried)).toBe(1);
    } finally {
      await strict.close();
      await retrying.close();
    }
  });

  it('an idempotencyKey that cannot be a header is refused before any call', async () => {
    h.upstreamCalls();
    const response = await h.query(
      `mutation { createCustomer(idempotencyKey: "", input: { name: "x" }) { id } }`,
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(h.upstreamCalls()).toBe(0);
  });
});
