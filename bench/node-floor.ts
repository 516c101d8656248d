/**
 * The Node floor: what a hand-written Node server spends on the throughput bench's four queries
 * when it does nothing but their work. `node:http` takes the POST, each query's Stripe calls go out
 * through an undici Pool (the same calls the gateway makes, side by side where the gateway's
 * prefetch sends them side by side), `JSON.parse` reads Stripe's answers, the selected fields are
 * picked into the answer the gateway gives (byte for byte: the bench checks), and `JSON.stringify`
 * writes it. No GraphQL, no schema, no limits, scope, logs or metrics.
 *
 * The same runtime, HTTP server and HTTP client as the gateway, so the distance from this line to
 * the gateway's is the gateway's own work, and from Tailcall's to this line is the platform's
 * (Rust's HTTP stack and serde against Node's). Started by bench/throughput.ts in a process of its
 * own: `node --import tsx bench/node-floor.ts` with UPSTREAM, KEY, PORT and QUERIES (the four
 * query texts as a JSON array, in the bench's order).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM!;
const key = process.env.KEY!;
const queries = JSON.parse(process.env.QUERIES!) as string[];
const pool = new Pool(upstream, { connections: 32, pipelining: 1 });
const headers = {
  authorization: `Bearer ${key}`,
  'stripe-version': '2024-04-10',
  accept: 'application/json',
};

type Json = Record<string, unknown>;
type List = { data: Json[] };

async function get(path: string): Promise<Json> {
  const { statusCode, body } = await pool.request({ method: 'GET', path, headers });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`${path}: ${statusCode} ${text}`);
  return JSON.parse(text) as Json;
}

/** The id the query names (`customer(id: "cus_…")`). */
function idIn(query: string): string {
  return /id:\s*"([^"]+)"/.exec(query)![1]!;
}

const enumValue = (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : null);

/** Each query's answer, as the gateway writes it. */
const answers: ((query: string) => Promise<unknown>)[] = [
  async () => {
    const page = (await get('/v1/customers?limit=10')) as List;
    return { customers: { nodes: page.data.map((c) => ({ id: c.id, email: c.email })) } };
  },
  async () => {
    const page = (await get('/v1/charges?limit=50&expand[0]=data.customer')) as List;
    return {
      charges: {
        nodes: page.data.map((c) => ({
          amount: c.amount,
          customer: c.customer && { email: (c.customer as Json).email },
        })),
      },
    };
  },
  async (query) => {
    const id = encodeURIComponent(idIn(query));
    const [customer, cards, invoices] = await Promise.all([
      get(`/v1/customers/${id}`),
      get(`/v1/customers/${id}/cards?limit=10`),
      get(`/v1/invoices?customer=${id}&limit=10`),
    ]);
    return {
      customer: {
        email: customer.email,
        cards: { nodes: (cards as List).data.map((c) => ({ brand: c.brand, last4: c.last4 })) },
        invoices: {
          nodes: (invoices as List).data.map((i) => ({
            number: i.number,
            status: enumValue(i.status),
            lines: {
              nodes: (i.lines as List).data.map((l) => ({ amount: l.amount, description: l.description })),
            },
          })),
        },
      },
    };
  },
  async (query) => {
    const id = encodeURIComponent(idIn(query));
    const [account, capabilities, transfers] = await Promise.all([
      get(`/v1/accounts/${id}`),
      get(`/v1/accounts/${id}/capabilities`),
      get(`/v1/transfers?destination=${id}&limit=10`),
    ]);
    return {
      account: {
        email: account.email,
        capabilities: {
          nodes: (capabilities as List).data.map((c) => ({
            id: `${String(c.account)}/${String(c.id)}`,
            status: enumValue(c.status),
          })),
        },
        transfers: {
          nodes: (transfers as List).data.map((t) => ({
            amount: t.amount,
            reversals: { nodes: (t.reversals as List).data.map((r) => ({ amount: r.amount })) },
          })),
        },
      },
    };
  },
];

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/graphql-response+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const { query } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string };
  if (query?.trim() === '{ __typename }') return send(res, 200, '{"data":{"__typename":"Query"}}');
  const answer = answers[queries.indexOf(query ?? '')];
  if (!answer) return send(res, 400, '{"errors":[{"message":"not one of the bench\'s queries"}]}');
  send(res, 200, JSON.stringify({ data: await answer(query!) }));
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) =>
    send(res, 502, JSON.stringify({ errors: [{ message: (error as Error).message }] })),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
// Stopped by the bench with SIGTERM: exit normally (a --cpu-prof run then writes its profile).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
