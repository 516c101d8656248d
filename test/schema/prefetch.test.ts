/**
 * Prefetch (src/schema/prefetch.ts) through the gateway against the emulator: the child lists a
 * query names the parent id of start while the parent is read (the parent's answer is held until
 * they start, so a child that waits for its parent fails the test rather than slowing it), with the
 * calls of a plain run; a prefetched answer under a missing parent never reaches the response or
 * the logs; a customer-scoped caller starts nothing its scope would refuse.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import type { RestClient, RestRequest } from '../../src/rest/client.ts';
import type { PrefetchRead } from '../../src/schema/prefetch.ts';
import { bearer, JWT_ENV, token } from '../server/auth-helpers.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';

/** One upstream call as the gateway made it. */
interface Call {
  account: string;
  label: string;
  params: Record<string, unknown>;
  /** the calls already started when this one's answer came back */
  startedBeforeAnswer?: string[];
  /** whether the request's signal had aborted when the call went out (calls `stall` holds) */
  aborted?: boolean;
  /** the calls in flight when this one started */
  inFlightAtStart: string[];
  done?: boolean;
}

const calls: Call[] = [];
/** Answers of calls whose label matches are held until a call matching `until` starts (or 2 s). */
let hold: { parent: RegExp; until: RegExp[] } | undefined;
const started: { label: string; at: () => void }[] = [];
/** Calls whose label matches wait for their signal to abort (or 2 s) before they go out. */
let stall: RegExp | undefined;

const labelOf = (request: RestRequest) => {
  let path = request.path;
  for (const [name, value] of Object.entries(request.pathParams ?? {}))
    path = path.replace(`{${name}}`, String(value));
  return `${request.method} ${path}`;
};

/** Resolves once a call matching `pattern` has started (or after `ms`). */
function startOf(pattern: RegExp, ms = 2000): Promise<void> {
  if (calls.some((c) => pattern.test(c.label))) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    started.push({
      label: pattern.source,
      at: () => {
        clearTimeout(timer);
        resolve();
      },
    });
  });
}

const recording = (rest: RestClient): RestClient => ({
  async request<T>(request: RestRequest): Promise<T> {
    const call: Call = {
      account: request.stripeAccount ?? 'platform',
      label: labelOf(request),
      params: { ...(request.params as Record<string, unknown>), expand: request.expand },
      inFlightAtStart: calls.filter((c) => !c.done).map((c) => c.label),
    };
    calls.push(call);
    for (const waiter of started.splice(0)) {
      if (new RegExp(waiter.label).test(call.label)) waiter.at();
      else started.push(waiter);
    }
    const signal = request.signal;
    if (stall?.test(call.label) && signal) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      call.aborted = signal.aborted;
    }
    const answer = await rest.request<T>(request).finally(() => {
      call.done = true;
    });
    if (hold?.parent.test(call.label)) await Promise.all(hold.until.map((until) => startOf(until)));
    call.startedBeforeAnswer = calls.filter((c) => c !== call).map((c) => c.label);
    return answer;
  },
  list: (request) => rest.list(request),
  close: () => rest.close(),
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness(JWT_ENV, { wrapRest: recording });
});
afterAll(() => h.close());
beforeEach(() => {
  calls.length = 0;
  hold = undefined;
  stall = undefined;
});

const jenny = SEED.jenny.customer;
const account = SEED.connected.account;

async function admin() {
  return bearer(await token({ sub: 'ops', scope: 'stripe:admin' }));
}

describe('prefetch: child lists start with their parent', () => {
  it('customer(id:) { sources invoices(first: 10) }: the invoices are listed while the customer is read', async () => {
    hold = { parent: /^GET \/v1\/customers\/cus_/, until: [/^GET \/v1\/invoices$/] };
    const query = `{ customer(id: "${jenny}") { email sources { nodes { __typename } }
      invoices(first: 10) { nodes { id customerId } } } }`;
    const { body } = await h.query(query, { headers: await admin() });
    expect(body.errors).toBeUndefined();
    const customer = body.data?.customer as { invoices: { nodes: { customerId: string }[] } };
    expect(customer.invoices.nodes.length).toBeGreaterThan(0);
    expect(customer.invoices.nodes.every((n) => n.customerId === jenny)).toBe(true);
    // The same two calls as without the prefetch: the customer (sources folded), the invoices.
    expect(calls.map((c) => c.label).sort()).toEqual([`GET /v1/customers/${jenny}`, `GET /v1/invoices`]);
    const parent = calls.find((c) => c.label.startsWith('GET /v1/customers/'))!;
    expect(parent.startedBeforeAnswer).toContain('GET /v1/invoices');
    expect(calls.find((c) => c.label === 'GET /v1/invoices')!.params).toMatchObject({
      customer: jenny,
      limit: 10,
    });

    // The same document again runs compiled (graphql-jit): the same two calls, side by side.
    calls.length = 0;
    const again = await h.query(query, { headers: await admin() });
    expect(again.body).toEqual(body);
    expect(calls.map((c) => c.label).sort()).toEqual([`GET /v1/customers/${jenny}`, `GET /v1/invoices`]);
    expect(calls.find((c) => c.label.startsWith('GET /v1/customers/'))!.startedBeforeAnswer).toContain(
      'GET /v1/invoices',
    );
  });

  it('account(id:) { capabilities transfers(first: 10) }: three calls side by side, with variables', async () => {
    hold = {
      parent: /^GET \/v1\/accounts\/acct_[^/]+$/,
      until: [/^GET \/v1\/accounts\/acct_[^/]+\/capabilities$/, /^GET \/v1\/transfers$/],
    };
    const { body } = await h.query(
      `query ($a: ID!, $n: Int) { account(id: $a) { email capabilities { nodes { id status } }
        transfers(first: $n) { nodes { amount reversals { nodes { amount } } } } } }`,
      { variables: { a: account, n: 10 }, headers: await admin() },
    );
    expect(body.errors).toBeUndefined();
    expect(calls).toHaveLength(3);
    const parent = calls.find((c) => c.label === `GET /v1/accounts/${account}`)!;
    expect(parent.startedBeforeAnswer).toEqual(
      expect.arrayContaining([`GET /v1/accounts/${account}/capabilities`, 'GET /v1/transfers']),
    );
    const cost = body.extensions?.cost as { estimatedUpstreamCalls: number } | undefined;
    // An upper bound of the calls made.
    expect(cost?.estimatedUpstreamCalls).toBeGreaterThanOrEqual(calls.length);
  });

  it('under connectedAccount(id:), as that account', async () => {
    const customer = SEED.connected.customer;
    hold = { parent: /^GET \/v1\/customers\/cus_/, until: [/^GET \/v1\/charges$/] };
    const { body } = await h.query(
      `{ connectedAccount(id: "${account}") { customer(id: "${customer}") { id charges(first: 3) { nodes { id } } } } }`,
      { headers: await admin() },
    );
    expect(body.errors).toBeUndefined();
    expect(calls.map((c) => [c.account, c.label]).sort()).toEqual([
      [account, 'GET /v1/charges'],
      [account, `GET /v1/customers/${customer}`],
    ]);
    const parent = calls.find((c) => c.label.startsWith('GET /v1/customers/'))!;
    expect(parent.startedBeforeAnswer).toContain('GET /v1/charges');
  });

  it('under node(id:), for the type the id names', async () => {
    hold = { parent: /^GET \/v1\/customers\/cus_/, until: [/^GET \/v1\/charges$/] };
    const { body } = await h.query(
      `query ($id: ID!) { node(id: $id) { id ... on Customer { charges(first: 3) { nodes { id } } }
        ... on Invoice { number } } }`,
      { variables: { id: jenny }, headers: await admin() },
    );
    expect(body.errors).toBeUndefined();
    expect(calls.map((c) => c.label).sort()).toEqual([`GET /v1/charges`, `GET /v1/customers/${jenny}`]);
    const parent = calls.find((c) => c.label.startsWith('GET /v1/customers/'))!;
    expect(parent.startedBeforeAnswer).toContain('GET /v1/charges');
  });

  it('leaves a list the parent embeds, and one skipped by @skip, to the resolver', async () => {
    const { body } = await h.query(
      `query ($skip: Boolean!) { customer(id: "${jenny}") { sources { nodes { __typename } }
        subscriptions { nodes { id } } invoices @skip(if: $skip) { nodes { id } } } }`,
      { variables: { skip: true }, headers: await admin() },
    );
    expect(body.errors).toBeUndefined();
    // One call: sources and subscriptions folded into the customer's expand[], invoices skipped.
    expect(calls.map((c) => c.label)).toEqual([`GET /v1/customers/${jenny}`]);
  });
});

describe('prefetch: safety', () => {
  it('a missing parent: the prefetched list is made and counted, but reaches neither the answer nor the logs', async () => {
    const missing = 'cus_PrefetchMissing0';
    h.upstreamCalls();
    const logsBefore = h.rawLogs.length;
    const { body } = await h.query(
      `{ customer(id: "${missing}") { id invoices(first: 10) { nodes { id } } } }`,
      { headers: await admin() },
    );
    expect(body.data?.customer).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['customer'], 'NOT_FOUND']]);
    // Counted honestly: the prefetch is a call the estimate already counted as the child's.
    expect(calls.map((c) => c.label).sort()).toEqual([
      'GET /v1/customers/cus_PrefetchMissing0',
      'GET /v1/invoices',
    ]);
    expect(h.upstreamCalls()).toBe(2);
    const cost = body.extensions?.cost as
      | { estimatedUpstreamCalls: number; actualUpstreamCalls?: number }
      | undefined;
    // The estimate counted the invoices as the customer's child: still an upper bound.
    expect(cost?.actualUpstreamCalls).toBe(2);
    expect(cost?.estimatedUpstreamCalls).toBeGreaterThanOrEqual(cost!.actualUpstreamCalls!);
    expect(h.rawLogs.slice(logsBefore).join('\n')).not.toMatch(/invoices/);
  });

  it('a deleted parent: the prefetched invoices are dropped with it', async () => {
    const customer = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'prefetch-deleted@example.com' },
    });
    await h.admin.request({
      method: 'POST',
      path: '/v1/invoiceitems',
      params: { customer: customer.id, amount: 500, currency: 'usd' },
    });
    const invoice = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/invoices',
      params: { customer: customer.id },
    });
    await h.admin.request({
      method: 'DELETE',
      path: '/v1/customers/{customer}',
      pathParams: { customer: customer.id },
    });
    calls.length = 0;
    const { body } = await h.query(
      `{ customer(id: "${customer.id}") { id invoices(first: 10) { nodes { id } } } }`,
      { headers: await admin() },
    );
    expect(body.data?.customer).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['DELETED']);
    expect(JSON.stringify(body)).not.toContain(invoice.id);
    expect(calls.map((c) => c.label)).toContain('GET /v1/invoices');
  });

  it('a customer-scoped caller prefetches only its own lists: no other customer, no foreign cursor', async () => {
    const own = bearer(await token({ sub: 'jenny', stripe_customer: jenny }));
    const alan = SEED.alan.customer;
    // Another customer's lists are not started (the parent is FORBIDDEN, the lists never asked).
    const other = await h.query(
      `{ customer(id: "${alan}") { id invoices(first: 10) { nodes { id } } charges(first: 5) { nodes { id } } } }`,
      { headers: own },
    );
    expect(other.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(calls.filter((c) => JSON.stringify(c).includes(alan) && !c.label.includes('/customers/'))).toEqual(
      [],
    );
    expect(calls.map((c) => c.label)).not.toContain('GET /v1/invoices');
    expect(calls.map((c) => c.label)).not.toContain('GET /v1/charges');

    // Their own lists start at once, with the customer filter the scope forces.
    calls.length = 0;
    hold = { parent: /^GET \/v1\/customers\/cus_/, until: [/^GET \/v1\/invoices$/] };
    const mine = await h.query(`{ customer(id: "${jenny}") { id invoices(first: 10) { nodes { id } } } }`, {
      headers: own,
    });
    expect(mine.body.errors).toBeUndefined();
    const parent = calls.find((c) => c.label.startsWith('GET /v1/customers/'))!;
    expect(parent.startedBeforeAnswer).toContain('GET /v1/invoices');

    // A cursor they have not been shown is checked before any list is asked for: no prefetch.
    hold = undefined;
    const foreign = SEED.katherine.openInvoice;
    calls.length = 0;
    const cursor = await h.query(
      `{ customer(id: "${jenny}") { id invoices(first: 10, after: "${foreign}") { nodes { id } } } }`,
      { headers: own },
    );
    expect(cursor.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(calls.filter((c) => c.label === 'GET /v1/invoices')).toEqual([]);
  });

  it('a forbidden parent: what the scope lets start is dropped with it, and names no one else', async () => {
    const own = bearer(await token({ sub: 'jenny', stripe_customer: jenny }));
    const { body } = await h.query(
      `{ subscription(id: "${SEED.ada.subscription}") { id invoices(first: 5) { nodes { id } } } }`,
      { headers: own },
    );
    expect(body.data?.subscription).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['subscription'], 'FORBIDDEN']]);
    // The invoices were listed as the scope forces any invoice list: Jenny's own only.
    const lists = calls.filter((c) => c.label === 'GET /v1/invoices');
    expect(lists.map((c) => c.params.customer)).toEqual([jenny]);
    expect(calls.some((c) => JSON.stringify(c.params).includes(SEED.ada.customer))).toBe(false);
  });

  it('a caller bound to another account starts nothing under connectedAccount(id:)', async () => {
    const bound = bearer(await token({ sub: 'other', stripe_account: 'acct_1PrefetchOther' }));
    const { body } = await h.query(
      `{ connectedAccount(id: "${account}") { customer(id: "${SEED.connected.customer}") { charges(first: 3) { nodes { id } } } } }`,
      { headers: bound },
    );
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual([]);
  });

  it('is cancelled with the request', async () => {
    stall = /^GET \/v1\/invoices$/;
    const controller = new AbortController();
    const answer = h
      .fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await admin()) },
        body: JSON.stringify({
          query: `{ customer(id: "${jenny}") { id invoices(first: 10) { nodes { id } } } }`,
        }),
        signal: controller.signal,
      })
      .then((response) => response.text())
      .catch(() => 'aborted');
    await startOf(/^GET \/v1\/invoices$/);
    controller.abort();
    await answer;
    const prefetched = calls.find((c) => c.label === 'GET /v1/invoices')!;
    expect(prefetched.aborted).toBe(true);
    // It was the prefetch: the customer was read while it was in flight.
    const parent = calls.find((c) => c.label === `GET /v1/customers/${jenny}`)!;
    expect(parent.inFlightAtStart).toContain('GET /v1/invoices');
  });

  it('never reaches the object cache: every prefetch is a list, and the cache keeps by-id reads only', () => {
    const { schema } = sharedSchema();
    const reads: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const read = field.extensions?.stripePrefetch as PrefetchRead | undefined;
        if (!read) continue;
        const info = { schema, fieldNodes: [], fragments: {}, returnType: field.type, variableValues: {} };
        // A filter narrows any embedded page away, so each prefetchable relation answers with a read.
        const filter = field.args.find((a) => !['first', 'last', 'after', 'before'].includes(a.name));
        const args = {
          first: 3,
          ...(filter && filter.type.toString() === 'String' ? { [filter.name]: 'x' } : {}),
        };
        const request = read('obj_1', args, info as unknown as GraphQLResolveInfo, { folds: true });
        if (request) reads.push(`${type.name}.${field.name} ${request.path}`);
      }
    }
    expect(reads.length).toBeGreaterThan(40);
    // src/server/cache.ts caches a GET whose path template ends with a parameter, nothing else.
    expect(reads.filter((r) => r.endsWith('}'))).toEqual([]);
    expect(reads).toEqual(
      expect.arrayContaining(['Customer.invoices /v1/invoices', 'Account.transfers /v1/transfers']),
    );
  });
});
