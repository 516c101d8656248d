/**
 * Relations through GraphQL against the emulator: every kind of edge (nested collection, reverse
 * edge from a list filter, inline first page), paging past the inline page in both directions, a
 * reference to a deleted object, and two connected accounts in one query.
 */
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { PAYEE_ACCOUNT } from '../emulator/helpers.ts';
import { type RecordingRest, recordingRest } from '../helpers.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

type Obj = { id: string };

let h: Harness;
let rest: RecordingRest;
/** Every upstream call the gateway made since the test began: [account, method, path template]. */
const calls = () =>
  rest.requests.map(
    (request) => [request.stripeAccount ?? 'platform', request.method, request.path] as const,
  );

const post = <T = Obj>(path: string, params: Record<string, unknown>, stripeAccount?: string) =>
  h.admin.request<T>({ method: 'POST', path, params, ...(stripeAccount ? { stripeAccount } : {}) });

beforeAll(async () => {
  h = await startHarness({}, { wrapRest: (inner) => (rest = recordingRest(inner)) });
});
afterAll(() => h.close());
beforeEach(() => {
  rest.requests.length = 0;
  h.upstreamCalls();
});

describe('the model’s relation edges', () => {
  it('are each a connection field on the parent type', () => {
    const { schema, model } = sharedSchema();
    const missing: string[] = [];
    for (const edge of model.relations) {
      const parent = schema.getType(model.objects[edge.parent]!.gql);
      const field = isObjectType(parent) ? parent.getFields()[edge.field] : undefined;
      const type = field && getNamedType(field.type);
      if (!type?.name.endsWith('Connection'))
        missing.push(`${model.objects[edge.parent]!.gql}.${edge.field}`);
    }
    expect(missing).toEqual([]);
    expect(model.relations.length).toBeGreaterThan(80);
  });

  it('include the ones Stripe developers look for', () => {
    const fields = (type: string) => {
      const t = sharedSchema().schema.getType(type);
      return isObjectType(t) ? Object.keys(t.getFields()) : [];
    };
    expect(fields('Customer')).toEqual(
      expect.arrayContaining(['cards', 'sources', 'invoices', 'charges', 'subscriptions', 'paymentIntents']),
    );
    expect(fields('Customer')).toEqual(
      expect.arrayContaining(['paymentMethods', 'taxIds', 'balanceTransactions']),
    );
    expect(fields('Account')).toEqual(
      expect.arrayContaining([
        'capabilities',
        'externalAccounts',
        'persons',
        'transfers',
        'capabilityStatuses',
      ]),
    );
    expect(fields('Transfer')).toContain('reversals');
    expect(fields('ApplicationFee')).toContain('refunds');
    expect(fields('Invoice')).toEqual(expect.arrayContaining(['lines', 'creditNotes']));
    expect(fields('StripeSubscription')).toEqual(expect.arrayContaining(['items', 'invoices']));
    expect(fields('CheckoutSession')).toContain('lineItems');
    expect(fields('Product')).toContain('prices');
    expect(fields('Charge')).toContain('refunds');
    expect(fields('PaymentIntent')).toContain('charges');
  });
});

describe('nested collections and reverse edges', () => {
  it('walk a customer to its cards, its invoices and their lines in the fewest calls', async () => {
    const response = await h.query(`{
      customer(id: "${SEED.jenny.customer}") {
        email
        cards(first: 3) { nodes { id last4 } }
        invoices(first: 5) { nodes { id lines { nodes { amount } } } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    const customer = response.body.data!.customer as {
      cards: { nodes: { id: string }[] };
      invoices: { nodes: { id: string; lines: { nodes: { amount: number }[] } }[] };
    };
    expect(customer.cards.nodes.map((c) => c.id)).toContain(SEED.jenny.card);
    const invoice = customer.invoices.nodes.find((i) => i.id === SEED.jenny.invoice);
    expect(invoice?.lines.nodes.length).toBe(2);
    // The customer, its cards, its invoices: the lines arrive inline with each invoice.
    expect(
      calls()
        .map(([, method, path]) => `${method} ${path}`)
        .sort(),
    ).toEqual(['GET /v1/customers/{customer}', 'GET /v1/customers/{customer}/cards', 'GET /v1/invoices']);
  });

  it('walk an account to its capabilities and the transfers to it, with their reversals', async () => {
    const response = await h.query(`{
      account(id: "${SEED.connected.account}") {
        capabilities { nodes { id stripeId status } }
        transfers { nodes { id amount reversals { nodes { id amount } } } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    const account = response.body.data?.account as {
      capabilities: { nodes: { id: string; stripeId: string }[] };
      transfers: { nodes: { id: string; reversals: { nodes: { id: string; amount: number }[] } }[] };
    };
    expect(account.capabilities.nodes.map((c) => c.stripeId).sort()).toEqual(
      [...SEED.connected.capabilities].sort(),
    );
    // A capability's GraphQL id is unique per type: the account's id, "/", Stripe's id.
    for (const c of account.capabilities.nodes) expect(c.id).toBe(`${SEED.connected.account}/${c.stripeId}`);
    const transfer = account.transfers.nodes.find((t) => t.id === SEED.connected.transfer);
    expect(transfer?.reversals.nodes).toEqual([{ id: SEED.connected.reversal, amount: 2500 }]);
    // Reversals arrive inline with each transfer.
    expect(calls().length).toBe(3);
  });

  it('pass the list’s other filters as arguments', async () => {
    const response = await h.query(`{
      customer(id: "${SEED.jenny.customer}") {
        paid: invoices(status: PAID) { nodes { id status } }
        drafts: invoices(status: DRAFT) { nodes { id } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    const customer = response.body.data!.customer as { paid: { nodes: Obj[] }; drafts: { nodes: Obj[] } };
    expect(customer.paid.nodes.map((i) => i.id)).toContain(SEED.jenny.invoice);
    expect(customer.drafts.nodes).toEqual([]);
  });

  it('answer a list without paging parameters in one page', async () => {
    const account = SEED.connected.account;
    const all = await h.admin.request<{ data: Obj[]; has_more: boolean }>({
      method: 'GET',
      path: `/v1/accounts/${account}/capabilities`,
    });
    expect(all.has_more).toBe(false);
    const ids = all.data.map(({ id }) => ({ stripeId: id }));
    expect(ids.length).toBe(SEED.connected.capabilities.length);
    expect(ids.length).toBeGreaterThan(1);
    rest.requests.length = 0;

    const list = (args: string) =>
      h.query(`{ account(id: "${account}") {
        capabilities${args} { nodes { stripeId } pageInfo { hasNextPage hasPreviousPage endCursor } }
      } }`);
    type Page = { nodes: { stripeId: string }[]; pageInfo: Record<string, unknown> };
    const whole = await list('');
    expect(whole.body.errors).toBeUndefined();
    // Every item, in Stripe's order, from one call that sent no paging parameter.
    const page = (whole.body.data!.account as { capabilities: Page }).capabilities;
    expect(page.nodes).toEqual(ids);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const listed = rest.requests.filter((r) => r.path === '/v1/accounts/{account}/capabilities');
    expect(listed.length).toBe(1);
    expect(Object.keys(listed[0]!.params ?? {})).toEqual([]);

    // first and after are applied to that page.
    const head = (await list('(first: 1)')).body.data!.account as { capabilities: Page };
    expect(head.capabilities.nodes).toEqual([ids[0]]);
    expect(head.capabilities.pageInfo.hasNextPage).toBe(true);
    const rest2 = await list(`(first: 1, after: "${head.capabilities.pageInfo.endCursor}")`);
    expect((rest2.body.data!.account as { capabilities: Page }).capabilities).toMatchObject({
      nodes: [ids[1]],
      pageInfo: { hasPreviousPage: true, hasNextPage: ids.length > 2 },
    });
  });

  it('answer more than a default page of an unpaged list whole', async () => {
    const names = [
      'card_payments',
      'transfers',
      'acss_debit_payments',
      'affirm_payments',
      'afterpay_clearpay_payments',
      'bancontact_payments',
      'cashapp_payments',
      'eps_payments',
      'giropay_payments',
      'ideal_payments',
      'klarna_payments',
      'link_payments',
      'p24_payments',
      'sepa_debit_payments',
    ];
    const account = await h.admin.request<Obj>({
      method: 'POST',
      path: '/v1/accounts',
      params: {
        type: 'custom',
        country: 'US',
        capabilities: Object.fromEntries(names.map((n) => [n, { requested: true }])),
      },
    });
    const res = await h.query(`{ account(id: "${account.id}") {
      capabilities { nodes { stripeId } pageInfo { hasNextPage } }
    } }`);
    expect(res.body.errors).toBeUndefined();
    const page = (
      res.body.data!.account as {
        capabilities: { nodes: { stripeId: string }[]; pageInfo: { hasNextPage: boolean } };
      }
    ).capabilities;
    expect(page.nodes.map((n) => n.stripeId).sort()).toEqual(names.slice().sort());
    expect(page.pageInfo.hasNextPage).toBe(false);
  });
});

describe('inline first pages', () => {
  let customer: string;
  const sources: string[] = [];

  beforeAll(async () => {
    customer = (await post('/v1/customers', { name: 'Three cards' })).id;
    for (const token of ['tok_visa', 'tok_mastercard', 'tok_amex']) {
      sources.push((await post(`/v1/customers/${customer}/sources`, { source: token })).id);
    }
  });

  it('come folded into the parent’s request: no call of their own', async () => {
    const response = await h.query(`{
      customer(id: "${customer}") { sources(first: 2) { nodes { ... on Card { id last4 } } pageInfo { hasNextPage endCursor } } }
    }`);
    expect(response.body.errors).toBeUndefined();
    const page = (
      response.body.data!.customer as { sources: { nodes: Obj[]; pageInfo: { hasNextPage: boolean } } }
    ).sources;
    expect(page.nodes.length).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(calls()).toEqual([['platform', 'GET', '/v1/customers/{customer}']]);
  });

  it('page forwards and backwards past the inline page through the list endpoint', async () => {
    const first = await h.query(
      `{ customer(id: "${customer}") { sources(first: 2) { nodes { ... on Card { id } } pageInfo { endCursor } } } }`,
    );
    const firstPage = (
      first.body.data!.customer as { sources: { nodes: Obj[]; pageInfo: { endCursor: string } } }
    ).sources;
    const after = await h.query(
      `{ customer(id: "${customer}") { sources(first: 2, after: "${firstPage.pageInfo.endCursor}") { nodes { ... on Card { id } } pageInfo { hasNextPage hasPreviousPage } } } }`,
    );
    expect(after.body.errors).toBeUndefined();
    const next = (
      after.body.data!.customer as { sources: { nodes: Obj[]; pageInfo: Record<string, boolean> } }
    ).sources;
    const all = [...firstPage.nodes, ...next.nodes].map((n) => n.id);
    expect([...all].sort()).toEqual([...sources].sort());
    expect(next.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    expect(calls().filter(([, , path]) => path === '/v1/customers/{customer}/sources').length).toBe(1);

    const lastId = next.nodes[next.nodes.length - 1]!.id;
    const before = await h.query(
      `{ customer(id: "${customer}") { sources(last: 2, before: "${lastId}") { nodes { ... on Card { id } } } } }`,
    );
    expect(before.body.errors).toBeUndefined();
    const back = (before.body.data!.customer as { sources: { nodes: Obj[] } }).sources.nodes.map((n) => n.id);
    expect(back).toEqual(all.slice(0, 2));
  });
});

describe('embedded lists named apart from their list endpoint', () => {
  it('are one field with the list by parent: a file’s links and a value list’s items, first page inline', async () => {
    const file = (
      await h.admin.request<{ data: Obj[] }>({ method: 'GET', path: '/v1/files', params: { limit: 100 } })
    ).data;
    const links = await h.admin.request<{ data: { id: string; file: string }[] }>({
      method: 'GET',
      path: '/v1/file_links',
      params: { limit: 100 },
    });
    const linked = file.find((f) => links.data.some((l) => l.file === f.id))!;
    expect(linked).toBeDefined();
    rest.requests.length = 0;
    const response = await h.query(`{ file(id: "${linked.id}") { links(first: 10) { nodes { id } } } }`);
    expect(response.body.errors).toBeUndefined();
    const nodes = (response.body.data!.file as { links: { nodes: Obj[] } }).links.nodes.map((n) => n.id);
    expect(nodes.sort()).toEqual(
      links.data
        .filter((l) => l.file === linked.id)
        .map((l) => l.id)
        .sort(),
    );
    expect(calls()).toEqual([['platform', 'GET', '/v1/files/{file}']]);

    const lists = await h.admin.request<{ data: { id: string; list_items: { data: Obj[] } }[] }>({
      method: 'GET',
      path: '/v1/radar/value_lists',
    });
    const list = lists.data.find((l) => l.list_items.data.length > 0)!;
    rest.requests.length = 0;
    const items = await h.query(`{ radarValueList(id: "${list.id}") { listItems { nodes { id value } } } }`);
    expect(items.body.errors).toBeUndefined();
    const got = (items.body.data!.radarValueList as { listItems: { nodes: Obj[] } }).listItems.nodes;
    expect(got.map((n) => n.id)).toEqual(list.list_items.data.map((n) => n.id));
    expect(calls()).toEqual([['platform', 'GET', '/v1/radar/value_lists/{value_list}']]);
  });
});

describe('filters the parent answers', () => {
  /** A Financial Connections account with no ownership: nothing to list its owners by. */
  const accountWithoutOwnership = async () => {
    const accounts = (
      await h.admin.request<{ data: { id: string; ownership?: unknown }[] }>({
        method: 'GET',
        path: '/v1/financial_connections/accounts',
      })
    ).data;
    return accounts.find((a) => a.ownership == null)!;
  };

  it('are no arguments: a Treasury transaction’s entries need no financialAccount', () => {
    const args = (type: string, field: string) => {
      const t = sharedSchema().schema.getType(type);
      return isObjectType(t) ? t.getFields()[field]!.args.map((a) => a.name) : [];
    };
    expect(args('TreasuryTransaction', 'entries')).not.toContain('financialAccount');
    expect(args('TreasuryReceivedCredit', 'creditReversals')).not.toContain('financialAccount');
    expect(args('FinancialConnectionsAccount', 'owners')).not.toContain('ownership');
    // A customer carries no financial account: there it stays a required argument.
    expect(args('Customer', 'outboundPayments')).toContain('financialAccount');
  });

  it('are filled from the parent: a received credit’s reversals, listed with its financial account', async () => {
    const [account] = (
      await h.admin.request<{ data: Obj[] }>({ method: 'GET', path: '/v1/treasury/financial_accounts' })
    ).data;
    const reversals = (
      await h.admin.request<{ data: { id: string; received_credit: string }[] }>({
        method: 'GET',
        path: '/v1/treasury/credit_reversals',
        params: { financial_account: account!.id, limit: 100 },
      })
    ).data;
    const credit = reversals[0]!.received_credit;
    rest.requests.length = 0;
    const response = await h.query(
      `{ treasuryReceivedCredit(id: "${credit}") { creditReversals { nodes { id } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const got = (response.body.data!.treasuryReceivedCredit as { creditReversals: { nodes: Obj[] } })
      .creditReversals.nodes;
    expect(got.map((n) => n.id).sort()).toEqual(
      reversals
        .filter((r) => r.received_credit === credit)
        .map((r) => r.id)
        .sort(),
    );
    expect(calls()).toEqual([
      ['platform', 'GET', '/v1/treasury/received_credits/{id}'],
      ['platform', 'GET', '/v1/treasury/credit_reversals'],
    ]);
  });

  it('leave the list empty, without a call, when the parent has none', async () => {
    const account = await accountWithoutOwnership();
    rest.requests.length = 0;
    const response = await h.query(
      `{ financialConnectionsAccount(id: "${account.id}") { owners { nodes { id } pageInfo { hasNextPage } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.financialConnectionsAccount).toEqual({
      owners: { nodes: [], pageInfo: { hasNextPage: false } },
    });
    expect(calls()).toEqual([['platform', 'GET', '/v1/financial_connections/accounts/{account}']]);
  });

  it('refuse a cursor into that empty list as naming no item, and page nothing with first', async () => {
    const account = await accountWithoutOwnership();
    const owners = (args: string) =>
      h.query(`{ financialConnectionsAccount(id: "${account.id}") { owners(${args}) { nodes { id } } } }`);
    for (const [args, argument] of [
      ['after: "fcaowns_NoSuchOwner"', 'after'],
      ['last: 2, before: "fcaowns_NoSuchOwner"', 'before'],
    ] as const) {
      const { body } = await owners(args);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(body.errors?.[0]?.message).toMatch(new RegExp(`^${argument} is not a cursor of this list`));
    }
    // Arguments no list takes are refused as every list refuses them.
    const last = await owners('last: 2');
    expect(last.body.errors?.[0]?.message).toMatch(/^last needs a before cursor/);
    const first = await owners('first: 0');
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.financialConnectionsAccount).toEqual({ owners: { nodes: [] } });
  });
});

describe('references', () => {
  it('to a deleted object are null with a typed DELETED error; the id stays', async () => {
    const customer = (await post('/v1/customers', { name: 'Soon gone' })).id;
    const item = (await post('/v1/invoiceitems', { customer, amount: 500, currency: 'usd' })).id;
    await h.admin.request({ method: 'DELETE', path: `/v1/customers/${customer}` });
    const response = await h.query(`{ invoiceitem(id: "${item}") { customerId customer { id email } } }`);
    expect(response.body.data?.invoiceitem).toEqual({ customerId: customer, customer: null });
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['invoiceitem', 'customer'], 'DELETED'],
    ]);
  });

  it('of many parents are folded into the list’s request', async () => {
    const response = await h.query('{ charges(first: 50) { nodes { id customer { email } } } }');
    expect(response.body.errors).toBeUndefined();
    expect(calls()).toEqual([['platform', 'GET', '/v1/charges']]);
  });
});

describe('connected accounts', () => {
  it('read two accounts and the platform in one query, each call carrying its account, no shared cache', async () => {
    // Onboarded, so that they take charges.
    const a = (await post('/v1/accounts', { ...PAYEE_ACCOUNT, email: 'rel-a@example.com' })).id;
    const b = (await post('/v1/accounts', { ...PAYEE_ACCOUNT, email: 'rel-b@example.com' })).id;
    for (const account of [a, b]) {
      const customer = (
        await post('/v1/customers', { name: `Buyer of ${account}`, source: 'tok_visa' }, account)
      ).id;
      await post('/v1/charges', { amount: 700, currency: 'usd', customer }, account);
    }
    rest.requests.length = 0;
    const shape =
      'charges { nodes { amount customer { name sources { nodes { ... on Card { last4 } } } } } }';
    const response = await h.query(`{
      ${shape}
      a: connectedAccount(id: "${a}") { ${shape} customers { nodes { name cards { nodes { id } } } } }
      b: connectedAccount(id: "${b}") { ${shape} customers { nodes { name cards { nodes { id } } } } }
    }`);
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as Record<
      string,
      { charges: { nodes: { customer: { name: string } }[] } }
    >;
    expect(data.a!.charges.nodes.map((c) => c.customer.name)).toEqual([`Buyer of ${a}`]);
    expect(data.b!.charges.nodes.map((c) => c.customer.name)).toEqual([`Buyer of ${b}`]);
    const byAccount = (account: string) =>
      calls()
        .filter(([acct]) => acct === account)
        .map(([, method, path]) => `${method} ${path}`);
    // The same requests under each account, none shared: charges (customers and their sources
    // folded in), customers, then each customer's cards.
    const expected = ['GET /v1/charges', 'GET /v1/customers', 'GET /v1/customers/{customer}/cards'];
    expect(byAccount(a).sort()).toEqual(expected);
    expect(byAccount(b).sort()).toEqual(expected);
    expect(byAccount('platform')).toEqual(['GET /v1/charges']);
  });
});

describe('a connected account reading itself', () => {
  it('lists its own capabilities', async () => {
    const response = await h.query(`{
      connectedAccount(id: "${SEED.connected.account}") {
        account { id capabilities { nodes { id status } } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    const account = (
      response.body.data!.connectedAccount as { account: Record<string, { nodes: unknown[] }> }
    ).account;
    expect(account.capabilities!.nodes.length).toBe(SEED.connected.capabilities.length);
    expect(calls().every(([acct]) => acct === SEED.connected.account)).toBe(true);
  });
});

describe('retrieves by id', () => {
  it('read a dispute by its own id, by node, and through its charge', async () => {
    const charge = (
      await post<{ id: string }>('/v1/charges', {
        amount: 1200,
        currency: 'usd',
        source: 'tok_createDispute',
      })
    ).id;
    const byCharge = await h.query(
      `{ charge(id: "${charge}") { disputed disputes { nodes { id chargeId } } } }`,
    );
    expect(byCharge.body.errors).toBeUndefined();
    const dispute = (byCharge.body.data!.charge as { disputes: { nodes: { id: string }[] } }).disputes
      .nodes[0]!.id;
    const response = await h.query(
      `{ dispute(id: "${dispute}") { id chargeId amount } node(id: "${dispute}") { id ... on Dispute { amount } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      dispute: { id: dispute, chargeId: charge, amount: 1200 },
      node: { id: dispute, amount: 1200 },
    });
  });
});
