/**
 * Lists under a customer scope (src/loaders/scope.ts, src/loaders/session.ts): a paging cursor is
 * checked like an id before the list is asked for, and every item of every list is checked against
 * the scope and the parent it was narrowed to, whoever filtered it (a stand-in Stripe here answers
 * another customer's refunds and another invoice's lines). An invoice's own inline lines come with
 * the invoice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FORBIDDEN_MESSAGE } from '../../src/loaders/scope.ts';
import type { RestRequest } from '../../src/rest/client.ts';
import { filledPath, type RecordingRest, recordingRest } from '../helpers.ts';
import { bearer, customerByEmail, JWT_ENV, token, type Victim } from './auth-helpers.ts';
import { type GraphQLResponse, type Harness, startHarness } from './harness.ts';

type Obj = Record<string, unknown> & { id: string };
type Page = { object: 'list'; data: Obj[]; has_more: boolean; url: string };

/** A stand-in for the next matching GET: answers in place of Stripe. */
let standIn:
  | ((request: RestRequest, real: () => Promise<unknown>) => Promise<unknown> | undefined)
  | undefined;
let rest: RecordingRest;
/** Every call the gateway sent upstream (path parameters filled). */
const sent = () =>
  rest.requests.map((request) => ({
    method: request.method,
    path: filledPath(request),
    params: { ...request.params } as Record<string, unknown>,
  }));

let h: Harness;
let A: Victim;
let B: Victim;
let asA: Record<string, string>;
/** per list: A's own object and B's, of the list's type */
const mine: Record<string, string> = {};
const theirs: Record<string, string> = {};
/** A's invoice (made here, with one line) and B's */
let invoiceA: string;
let invoiceB: string;

const LISTS = {
  charges: '/v1/charges',
  paymentIntents: '/v1/payment_intents',
  invoices: '/v1/invoices',
  setupIntents: '/v1/setup_intents',
  invoiceitems: '/v1/invoiceitems',
  subscriptions: '/v1/subscriptions',
  paymentMethods: '/v1/payment_methods',
} as const;

beforeAll(async () => {
  h = await startHarness(JWT_ENV, {
    wrapRest: (inner) => (rest = recordingRest(inner, (request, real) => standIn?.(request, real))),
  });
  A = await customerByEmail(h.admin, 'alan.turing@example.com');
  B = await customerByEmail(h.admin, 'jenny.rosen@example.com');
  const post = <T = Obj>(path: string, params: Record<string, unknown>) =>
    h.admin.request<T>({ method: 'POST', path, params });
  const price = (
    await h.admin.request<Page>({
      method: 'GET',
      path: '/v1/prices',
      params: { type: 'recurring', limit: 1 },
    })
  ).data[0]!.id;
  for (const [who, victim] of [
    [mine, A],
    [theirs, B],
  ] as const) {
    const customer = victim.customer;
    who.charges = victim.charge;
    who.paymentIntents = victim.paymentIntent;
    who.invoiceitems = (await post('/v1/invoiceitems', { customer, amount: 100, currency: 'usd' })).id;
    who.invoices = (await post('/v1/invoices', { customer, pending_invoice_items_behavior: 'include' })).id;
    who.setupIntents = (await post('/v1/setup_intents', { customer })).id;
    who.subscriptions = (
      await post('/v1/subscriptions', {
        customer,
        items: [{ price }],
        payment_behavior: 'default_incomplete',
      })
    ).id;
    const pm = (await post('/v1/payment_methods', { type: 'card', card: { token: 'tok_visa' } })).id;
    await post(`/v1/payment_methods/${pm}/attach`, { customer });
    who.paymentMethods = pm;
    who.cards = victim.card;
  }
  invoiceA = mine.invoices!;
  invoiceB = theirs.invoices!;
  asA = bearer(await token({ stripe_customer: A.customer, sub: 'user-a' }));
});
afterAll(() => h.close());
beforeEach(() => {
  rest.requests.length = 0;
  standIn = undefined;
});

/** The calls that carried `id` as a paging cursor. */
const pagedFrom = (id: string) =>
  sent().filter((call) => call.params.starting_after === id || call.params.ending_before === id);

function expectForbidden(response: GraphQLResponse): void {
  expect(response.body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
    ['FORBIDDEN', FORBIDDEN_MESSAGE],
  ]);
  const text = JSON.stringify(response.body);
  for (const id of Object.values(theirs)) expect(text).not.toContain(id);
}

describe('customer scope: cursors are checked like ids', () => {
  it('after:/before: naming another customer’s object is FORBIDDEN, like an unknown one, and never paged from', async () => {
    for (const [field, path] of Object.entries(LISTS)) {
      const prefix = theirs[field]!.slice(0, theirs[field]!.indexOf('_') + 1);
      for (const cursor of [theirs[field]!, `${prefix}doesnotexist00000000`]) {
        for (const direction of ['after', 'before']) {
          rest.requests.length = 0;
          const response = await h.query(
            `{ ${field}(${direction === 'after' ? 'first' : 'last'}: 2, ${direction}: "${cursor}") { nodes { id } } }`,
            {
              headers: asA,
            },
          );
          expect(response.body.data, `${field} ${direction} ${cursor}`).toEqual({ [field]: null });
          expectForbidden(response);
          // Nothing is paged from it, and the list itself is never asked for.
          expect(pagedFrom(cursor)).toEqual([]);
          expect(sent().filter((call) => call.path === path)).toEqual([]);
          // The one call is the by-id read that checks it, as for `charge(id:)`.
          expect(sent().map((call) => call.method)).toEqual(['GET']);
        }
      }
    }
  });

  it('under customer(A): charges, cards and sources refuse B’s cursor without paging from it', async () => {
    for (const [field, cursor] of [
      ['charges', theirs.charges!],
      ['cards', theirs.cards!],
      ['sources', theirs.cards!],
    ] as const) {
      rest.requests.length = 0;
      const response = await h.query(
        `{ customer(id: "${A.customer}") { ... on Customer { id ${field}(first: 2, after: "${cursor}") { nodes { __typename } } } } }`,
        { headers: asA },
      );
      expect(response.body.data, field).toEqual({ customer: null });
      expectForbidden(response);
      expect(pagedFrom(cursor), field).toEqual([]);
    }
  });

  it('its own cursors page as before: one check across requests, none within one', async () => {
    const first = await h.query(
      `{ customer(id: "${A.customer}") { ... on Customer { paymentIntents(first: 1) { nodes { id } pageInfo { endCursor hasNextPage } } } } }`,
      { headers: asA },
    );
    const page = (first.body.data as any).customer.paymentIntents;
    expect(page.pageInfo.hasNextPage).toBe(true);
    rest.requests.length = 0;
    const next = await h.query(
      `{ paymentIntents(first: 5, after: "${page.pageInfo.endCursor}") { nodes { id customerId } } }`,
      { headers: asA },
    );
    expect(next.body.errors).toBeUndefined();
    const nodes = (next.body.data as any).paymentIntents.nodes as { id: string; customerId: string }[];
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.map((n) => n.id)).not.toContain(page.nodes[0].id);
    for (const node of nodes) expect(node.customerId).toBe(A.customer);
    expect(sent().map((call) => call.path)).toEqual([
      `/v1/payment_intents/${page.pageInfo.endCursor}`,
      '/v1/payment_intents',
    ]);

    // Within one request, pages after the first start from an item already admitted: no check.
    rest.requests.length = 0;
    const both = await h.query(`{ paymentIntents(first: 150) { nodes { id } } }`, { headers: asA });
    expect(both.body.errors).toBeUndefined();
    expect(sent().every((call) => call.path === '/v1/payment_intents')).toBe(true);
  });
});

describe('customer scope: every item of every list is checked against the scope and its parent', () => {
  it('refunds(charge: A’s) that a stand-in fills with B’s refund: refused, nothing of B', async () => {
    const refundB = await h.admin.request<Obj>({
      method: 'POST',
      path: '/v1/refunds',
      params: { charge: theirs.charges!, amount: 1 },
    });
    standIn = (request, real) => {
      if (request.path !== '/v1/refunds') return undefined;
      return (real() as Promise<Page>).then((page) => ({ ...page, data: [...page.data, refundB] }));
    };
    const response = await h.query(`{ refunds(charge: "${A.charge}") { nodes { id chargeId } } }`, {
      headers: asA,
    });
    expect(response.body.data).toEqual({ refunds: null });
    expectForbidden(response);
    expect(JSON.stringify(response.body)).not.toContain(refundB.id);
  });

  it('an invoice’s lines that a stand-in fills with another invoice’s line: refused', async () => {
    const lineB = (
      await h.admin.request<Page>({ method: 'GET', path: `/v1/invoices/${invoiceB}/lines`, params: {} })
    ).data[0]!;
    expect(lineB.invoice).toBe(invoiceB);
    standIn = (request, real) => {
      // The invoice answers with an empty first page of lines that has more: the list is asked.
      if (request.path === '/v1/invoices/{invoice}')
        return (real() as Promise<Obj & { lines: Page }>).then((invoice) => ({
          ...invoice,
          lines: { ...invoice.lines, data: [], has_more: true },
        }));
      if (request.path !== '/v1/invoices/{invoice}/lines') return undefined;
      return (real() as Promise<Page>).then((page) => ({ ...page, data: [...page.data, lineB] }));
    };
    const response = await h.query(`{ invoice(id: "${invoiceA}") { id lines(first: 5) { nodes { id } } } }`, {
      headers: asA,
    });
    expect(sent().map((call) => call.path)).toContain(`/v1/invoices/${invoiceA}/lines`);
    expect(response.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['invoice.lines', 'FORBIDDEN'],
    ]);
    expect(JSON.stringify(response.body)).not.toContain(lineB.id);
  });

  it('an invoice’s own inline lines are visible with the invoice; another’s, slipped inline, are not', async () => {
    const response = await h.query(
      `{ customer(id: "${A.customer}") { ... on Customer { invoices { nodes { id lines { nodes { id } } } } } } }`,
      { headers: asA },
    );
    expect(response.body.errors).toBeUndefined();
    const invoices = (response.body.data as any).customer.invoices.nodes as { id: string; lines: any }[];
    const own = invoices.find((i) => i.id === invoiceA)!;
    expect(own.lines.nodes.length).toBe(1);
    const byId = await h.query(`{ invoice(id: "${invoiceA}") { lines { nodes { id } } } }`, { headers: asA });
    expect(byId.body.errors).toBeUndefined();
    expect((byId.body.data as any).invoice.lines.nodes).toEqual(own.lines.nodes);

    const lineB = (
      await h.admin.request<Page>({ method: 'GET', path: `/v1/invoices/${invoiceB}/lines`, params: {} })
    ).data[0]!;
    standIn = (request, real) => {
      if (request.path !== '/v1/invoices/{invoice}') return undefined;
      return (real() as Promise<Obj & { lines: Page }>).then((invoice) => ({
        ...invoice,
        lines: { ...invoice.lines, data: [lineB] },
      }));
    };
    const slipped = await h.query(`{ invoice(id: "${invoiceA}") { id lines { nodes { id } } } }`, {
      headers: asA,
    });
    expect(slipped.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['invoice.lines', 'FORBIDDEN'],
    ]);
    expect(JSON.stringify(slipped.body)).not.toContain(lineB.id);
  });
});
