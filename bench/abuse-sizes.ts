/**
 * The "abuse" table, sizes section (issue 25): answers and upstream bodies that used to grow without
 * bound, against a listening gateway whose Stripe is a stand-in in this process. For each case: the
 * time to answer, the longest event-loop stall while it ran, the peak RSS above the level before it,
 * and the RSS still held 300 ms after (memory returned). Goal: ≤ 100 ms stall, ≤ 50 MB growth.
 *
 * - the issue's answer: 19 aliases × `charges(first: 1000)` × 35 fields (refused, ANSWER_TOO_LARGE),
 *   alone and four at once; one alias of it (a legitimate 1,000-charge answer) beside it;
 * - a 50 MB Stripe object and an endless Stripe body (cut off at STRIPE_MAX_RESPONSE_BYTES);
 * - a slow path: 20 reads whose answers trickle in hold their share of the upstream slots while a
 *   read on another path is timed.
 *
 *   npx tsx bench/abuse-sizes.ts
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildSchema } from '../src/schema/index.ts';
import { readServerConfig } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { listen } from '../src/server/listen.ts';
import { graphqlBody, JSON_HEADERS, rawRequest } from '../test/net/abuse.ts';
import { asDeployed, formatVerdicts, loadRow, measure, type Send } from './measure.ts';
import type { BenchRow } from './table.ts';
import { printTable } from './table.ts';

const RUNS = 3;
const MB = 1024 * 1024;

/** The Charge fields the issue's query selected (35 scalars). */
const CHARGE_FIELDS =
  'id amount amountCaptured amountRefunded captured created currency description disputed livemode paid ' +
  'refunded status statementDescriptor statementDescriptorSuffix receiptEmail receiptNumber receiptUrl ' +
  'failureCode failureMessage calculatedStatementDescriptor applicationFeeAmount failureBalanceTransactionId ' +
  'customerId paymentIntentId paymentMethodId invoiceId balanceTransactionId applicationId ' +
  'applicationFeeId onBehalfOfId reviewId sourceTransferId transferGroup transferId';

function charge(i: number): Record<string, unknown> {
  return {
    id: `ch_bench${String(i).padStart(8, '0')}`,
    object: 'charge',
    amount: 1000 + i,
    amount_captured: 1000 + i,
    amount_refunded: 0,
    captured: true,
    created: 1_700_000_000 + i,
    currency: 'usd',
    description: `Bench charge ${i}`,
    disputed: false,
    livemode: false,
    paid: true,
    refunded: false,
    status: 'succeeded',
    customer: 'cus_bench',
    metadata: {},
  };
}

/** Stripe in this process: pages of charges, a huge object, an endless body, a trickling path. */
async function standIn() {
  const page = (limit: number, after: string | null) => {
    const start = after ? Number(after.slice(8)) + 1 : 0;
    const count = Math.min(limit, Math.max(0, 1000 - start));
    const data = Array.from({ length: count }, (_, i) => charge(start + i));
    return { object: 'list', url: '/v1/charges', has_more: start + count < 1000, data };
  };
  const huge = Buffer.from(
    JSON.stringify({ id: 'cus_huge', object: 'customer', description: 'x'.repeat(50 * MB) }),
  );
  const trickling = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const send = (body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (url.pathname === '/v1/charges') {
      send(page(Number(url.searchParams.get('limit') ?? 10), url.searchParams.get('starting_after')));
    } else if (url.pathname === '/v1/customers/cus_huge') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': huge.length });
      res.end(huge);
    } else if (url.pathname === '/v1/customers/cus_endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"cus_endless","object":"customer","description":"');
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    } else if (url.pathname.startsWith('/v1/charges/ch_slow')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(' ');
      trickling.add(res);
      res.on('close', () => trickling.delete(res));
    } else if (url.pathname.startsWith('/v1/customers/')) {
      send({ id: url.pathname.split('/').pop(), object: 'customer', metadata: {} });
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"type":"invalid_request_error","message":"No such thing"}}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Ends every trickling answer (with an error body the gateway reports). */
    release: () => {
      for (const res of trickling) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const query =
  (text: string): Send =>
  async (origin) => {
    const body = graphqlBody(text);
    return (await rawRequest(origin, { headers: { ...JSON_HEADERS }, chunks: [body] })).status;
  };

const ISSUE_QUERY = `{ ${Array.from({ length: 19 }, (_, i) => `c${i}: charges(first: 1000) { nodes { ${CHARGE_FIELDS} } }`).join(' ')} }`;

export function benchAbuseSizes(): Promise<BenchRow[]> {
  return asDeployed(runAbuseSizes);
}

async function runAbuseSizes(): Promise<BenchRow[]> {
  const stripe = await standIn();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: 'sk_test_bench_abuse_sizes',
    STRIPE_API_BASE: stripe.url,
    STRIPE_MAX_RETRIES: '0',
    LOG_LEVEL: 'silent',
  });
  const gateway = createGateway({ config, schema: buildSchema() });
  const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
  let slow: Promise<unknown>[] = [];
  const cases: [string, Send][] = [
    ['9. answer 19 x charges(first: 1000) x 35 fields', query(ISSUE_QUERY)],
    [
      '9. the same, four at once',
      async (origin) => (await Promise.all([1, 2, 3, 4].map(() => query(ISSUE_QUERY)(origin))))[0]!,
    ],
    [
      '9. one alias of it: 1,000 charges x 35 fields',
      query(`{ charges(first: 1000) { nodes { ${CHARGE_FIELDS} } } }`),
    ],
    ['10. a 50 MB Stripe object', query('{ customer(id: "cus_huge") { ... on Customer { id } } }')],
    ['10. an endless Stripe body', query('{ customer(id: "cus_endless") { ... on Customer { id } } }')],
    [
      '11. another path while 20 answers trickle',
      async (origin) => {
        if (slow.length === 0) {
          slow = Array.from({ length: 20 }, (_, i) =>
            query(`{ charge(id: "ch_slow${i}") { id } }`)(origin).catch(() => 0),
          );
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return query('{ customer(id: "cus_fast") { ... on Customer { id } } }')(origin);
      },
    ],
  ];
  const rows: BenchRow[] = [];
  try {
    for (const [name, send] of cases) rows.push(...(await measure(name, send, listener.origin, RUNS)));
  } finally {
    stripe.release();
    await Promise.all(slow);
    await listener.close(1_000);
    await gateway.close();
    await stripe.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = [loadRow('start'), ...(await benchAbuseSizes()), loadRow('end')];
  printTable(rows);
  console.log(`\n${formatVerdicts(rows)}`);
}
