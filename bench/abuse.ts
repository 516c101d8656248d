/**
 * The "abuse" table: each attack of the adversarial suite (test/net/abuse.test.ts) against a
 * listening gateway on the emulator, in this process: the time to answer, the CPU time, the longest
 * event-loop stall while it ran (perf_hooks.monitorEventLoopDelay), the peak RSS above the
 * level before it and what of it is still held half a second after, once a full collection ran
 * (bench/measure.ts). Every case must stay under
 * 100 ms of stall and 50 MB of extra RSS. Cases 7 and 8 exhaust channels (issue 25): thousands of
 * WebSockets, subscriptions, SSE streams and slow bodies, a 50 MB WebSocket message and huge
 * webhook bodies. The floods' clients (case 7) run in a child process (bench/abuse-clients.ts), so
 * that their stall and RSS figures are the gateway's, its teardown included; the floods also
 * report the heap the gateway holds while they are open, after a full collection, and that heap
 * per open subscription (or socket): figures the machine's load does not change, unlike the stall.
 *
 *   npx tsx bench/abuse.ts
 */
import { type ChildProcess, fork } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createEmulator } from '../src/emulator/server.ts';
import { buildSchema } from '../src/schema/index.ts';
import { readServerConfig } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { listen } from '../src/server/listen.ts';
import { serveWebSockets } from '../src/server/websocket.ts';
import { signatureHeader } from '../src/spec/webhook-signature.ts';
import {
  aliasedIntrospection,
  fragmentFanOut,
  graphqlBody,
  itemFragmentFanOut,
  JSON_HEADERS,
  LIST_QUERY,
  NESTED_INTROSPECTION,
  paddedQuery,
  rawRequest,
} from '../test/net/abuse.ts';
import { type Flood, type FromClients, rawSocket, type ToClients } from './abuse-clients.ts';
import { asDeployed, collect, formatVerdicts, loadRow, measure, type Send } from './measure.ts';
import { type BenchRow, printTable } from './table.ts';

const RUNS = 5;
/** runs of the exhaustion cases (each opens thousands of sockets) */
const HEAVY_RUNS = 2;
/** how long a flood's clients are held open */
const HOLD_MS = 200;
/** how long after a flood's clients are gone its measurement goes on (the gateway's teardown) */
const TEARDOWN_MS = 100;
const MB = 1024 * 1024;
const WEBHOOK_SECRET = 'whsec_abuse_bench';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The heap the gateway holds while a flood's clients are open, after a full collection, and the
 * subscriptions (or sockets) open then, by flood (each flood is a key from its making): unlike RSS
 * (which V8 keeps once grown) and the stall (which other processes on the machine lengthen), it
 * does not depend on the machine's load. Taken in a run of its own after the measured ones
 * (`weighing`): a collection during those would count as a stall.
 */
const heldHeap = new Map<Send, { bytes: number; open: number }>();
let weighing = false;

/** Heap used after a collection, when weighing (else 0). */
function heapNow(): number {
  if (!weighing) return 0;
  collect();
  return process.memoryUsage().heapUsed;
}

/** The flood clients' process (bench/abuse-clients.ts), one for the whole bench. */
class Clients {
  private readonly child: ChildProcess;
  private constructor() {
    this.child = fork(fileURLToPath(new URL('./abuse-clients.ts', import.meta.url)), ['--abuse-clients'], {
      execArgv: ['--import', 'tsx'],
    });
  }
  static start(): Clients {
    return new Clients();
  }
  ask<T extends FromClients['op']>(message: ToClients, answer: T): Promise<Extract<FromClients, { op: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromClients) => {
        if (reply.op !== answer) return;
        this.child.off('exit', onExit);
        this.child.off('message', onMessage);
        resolve(reply as Extract<FromClients, { op: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`abuse clients exited (${code})`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }
  stop(): void {
    this.child.disconnect();
  }
}

let clients: Clients | undefined;

/**
 * A flood of clients from the clients' process, held open `HOLD_MS` then closed; the send ends
 * `TEARDOWN_MS` after the last client is gone, so that the gateway's side of the teardown is in
 * its figures. Resolves with the status the clients saw.
 */
const flood = (make: (origin: string) => Flood): Send => {
  const send: Send = async (origin) => {
    const before = heapNow();
    const opened = await clients!.ask({ op: 'open', flood: make(origin), holdMs: HOLD_MS }, 'opened');
    if (weighing) heldHeap.set(send, { bytes: heapNow() - before, open: opened.open });
    await clients!.ask({ op: 'close' }, 'closed');
    await settle(TEARDOWN_MS);
    return opened.status;
  };
  heldHeap.set(send, { bytes: 0, open: 0 });
  return send;
};

/** One POST over a socket of its own; resolves with its status once answered. */
function postOwn(
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; destroy(): void }> {
  return new Promise((resolve) => {
    const req = request(`${origin}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      resolve({ status: res.statusCode ?? 0, destroy: () => req.destroy() });
    });
    req.on('error', () => resolve({ status: 0, destroy: () => {} }));
    req.end(body);
  });
}

/**
 * A WebSocket frame announcing `bytes` of payload, then its first 1 MB (a client would mask the
 * rest; the server must refuse at the header). Resolves with the status of the close frame's code.
 */
const bigMessage =
  (bytes: number): Send =>
  async (origin) => {
    const socket = await rawSocket(origin);
    socket.write(
      'GET /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\n' +
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n' +
        'sec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    const header = Buffer.alloc(14);
    header[0] = 0x82; // final binary frame
    header[1] = 0x80 | 127; // masked, 64-bit length
    header.writeBigUInt64BE(BigInt(bytes), 2);
    socket.write(Buffer.concat([header, Buffer.alloc(MB)]));
    return new Promise((resolve) => {
      let seen = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        seen = Buffer.concat([seen, chunk]);
      });
      socket.on('close', () => {
        // The close frame after the 101 answer: 0x88, length, code.
        const at = seen.indexOf(Buffer.from([0x88]), seen.indexOf('\r\n\r\n'));
        resolve(at === -1 ? 0 : seen.readUInt16BE(at + 2));
      });
    });
  };

/** A chunked webhook body of up to `bytes`, streamed until the intake answers; its status. */
const webhookStream =
  (bytes: number, signature: string): Send =>
  (origin) =>
    new Promise((resolve) => {
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const req = request(
        `${origin}/webhooks/stripe`,
        { method: 'POST', headers: { 'stripe-signature': signature }, agent: false },
        (res) => {
          answered = true;
          res.resume();
          res.on('end', () => {
            req.destroy();
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', () => {
        if (!answered) resolve(0);
      });
      let sent = 0;
      const pump = () => {
        while (!answered && sent < bytes) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    });

/** A valid, signed event of about `bytes`. */
const largeEvent =
  (bytes: number): Send =>
  async (origin) => {
    const payload = JSON.stringify({
      id: `evt_bench_${Math.random().toString(36).slice(2)}`,
      object: 'event',
      type: 'customer.updated',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_bench', object: 'customer', metadata: { pad: 'x'.repeat(bytes) } } },
    });
    const headers = {
      'content-type': 'application/json',
      'stripe-signature': signatureHeader(WEBHOOK_SECRET, payload),
    };
    return (await postOwn(origin, '/webhooks/stripe', headers, payload)).status;
  };

const post =
  (body: string, headers: Record<string, string> = {}): Send =>
  async (origin) =>
    (
      await rawRequest(origin, {
        headers: { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers },
        chunks: [body],
      })
    ).status;

const CASES: [string, Send][] = [
  ['1. introspection x50 aliases', post(graphqlBody(aliasedIntrospection(50)))],
  ['1. introspection types.fields.type.fields', post(graphqlBody(NESTED_INTROSPECTION))],
  ['2. fragment fan-out 2^30', post(graphqlBody(fragmentFanOut(30)))],
  ['2. fragment fan-out 2^40, executed', post(graphqlBody(itemFragmentFanOut(40)))],
  [
    '3. list variable of 30,000 items',
    post(graphqlBody(LIST_QUERY, { ids: Array.from({ length: 30_000 }, () => 0) })),
  ],
  [
    '3. list variable of 500 wrong items',
    post(graphqlBody(LIST_QUERY, { ids: Array.from({ length: 500 }, (_, i) => ({ wrong: i })) })),
  ],
  ['4. 2 MB body (Content-Length)', post(graphqlBody(paddedQuery(2_000_000)))],
  [
    '4. 2 MB body (chunked)',
    async (origin) =>
      (
        await rawRequest(origin, {
          headers: JSON_HEADERS,
          chunks: [
            '{"query":"{ __typename } #',
            ...Array.from({ length: 32 }, () => 'x'.repeat(64 * 1024)),
            '"}',
          ],
        })
      ).status,
  ],
  [
    '4. 40 distinct 90 KB documents',
    async (origin) => {
      let status = 0;
      for (let i = 0; i < 40; i++)
        status = await post(graphqlBody(paddedQuery(90_000, `${Math.random()}`)))(origin);
      return status;
    },
  ],
  [
    '5. id ".." and a 2 KB id',
    async (origin) => {
      const query = 'query ($id: ID!) { customer(id: $id) { ... on Customer { id } } }';
      await post(graphqlBody(query, { id: '..' }))(origin);
      return post(graphqlBody(query, { id: `cus_${'x'.repeat(2_000)}` }))(origin);
    },
  ],
  ['6. disallowed Host', post(graphqlBody('{ __typename }'), { host: 'attacker.example' })],
];

/** The exhaustion cases: run `HEAVY_RUNS` times each. */
const HEAVY: [string, Send][] = [
  [
    '7. 2,000 WebSockets x 5 subscriptions',
    flood((origin) => ({ kind: 'websocket', origin, sockets: 2_000, subscriptions: 5 })),
  ],
  ['7. 2,000 SSE subscriptions', flood((origin) => ({ kind: 'sse', origin, streams: 2_000 }))],
  ['7. 1,500 slow request bodies', flood((origin) => ({ kind: 'slow-bodies', origin, sockets: 1_500 }))],
  ['7. one 50 MB WebSocket message', bigMessage(50 * MB)],
  ['8. webhook: 400 MB chunked, bad signature', webhookStream(400 * MB, signatureHeader('whsec_other', 'x'))],
  ['8. webhook: valid 150 KB event', largeEvent(150_000)],
];

export function benchAbuse(): Promise<BenchRow[]> {
  return asDeployed(runAbuse);
}

async function runAbuse(): Promise<BenchRow[]> {
  const emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  const gateway = createGateway({ config, schema: buildSchema() });
  const listener = await listen(gateway.yoga, { port: 0, host: '127.0.0.1' });
  const sockets = serveWebSockets(listener.server, gateway.yoga, '/graphql');
  clients = Clients.start();
  const rows: BenchRow[] = [loadRow('start')];
  // ABUSE_CASES='^[78]': only the cases whose name matches.
  const only = process.env.ABUSE_CASES;
  const cases: [string, Send, number][] = [
    ...CASES.map(([name, send]): [string, Send, number] => [name, send, RUNS]),
    ...HEAVY.map(([name, send]): [string, Send, number] => [name, send, HEAVY_RUNS]),
  ].filter(([name]) => only === undefined || new RegExp(only).test(name));
  try {
    // Warm up every path once: first-use compilation is not what is measured.
    for (const [, send] of cases) await send(listener.origin);
    for (const [name, send, runs] of cases) {
      rows.push(...(await measure(name, send, listener.origin, runs, { settleMs: 500, warm: true })));
      if (heldHeap.has(send)) {
        weighing = true;
        await send(listener.origin);
        weighing = false;
        const { bytes, open } = heldHeap.get(send)!;
        rows.push(
          { bench: `abuse: ${name}`, metric: 'heap held open, after GC', value: bytes / MB, unit: 'MB' },
          { bench: `abuse: ${name}`, metric: 'open then (accepted)', value: open, unit: '' },
          {
            bench: `abuse: ${name}`,
            metric: 'heap per open one',
            value: open > 0 ? bytes / open / 1024 : 0,
            unit: 'KB',
          },
        );
      }
    }
    rows.push(loadRow('end'));
  } finally {
    clients.stop();
    await sockets.close();
    await listener.close(1_000);
    await gateway.close();
    await emulator.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await benchAbuse();
  printTable(rows);
  console.log(`\n${formatVerdicts(rows)}`);
}
