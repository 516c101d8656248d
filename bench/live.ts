/**
 * Live events through the scale-out path: signed webhooks POSTed to replica A's intake, published
 * on Redis, received by 100 `stripeEvents` subscribers (SSE) on replica B. Reports the intake's
 * events per second, the deliveries per second to subscribers, and the latency from sending a
 * webhook to a subscriber receiving it (p50/p99), with the events sent at a steady pace.
 *
 * Four processes share the machine: redis-server, the two gateways (`src/server/main.ts`, as
 * `npm start` runs it, on the built-in emulator) and this one (publisher and subscribers).
 *
 *   npx tsx bench/live.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { signatureHeader } from '../src/spec/webhook-signature.ts';
import { startRedis } from '../test/net/redis.ts';
import { buildDist, startCommand } from './server.ts';
import { type BenchRow, printTable } from './table.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUBSCRIBERS = 100;
const SECRET = 'whsec_bench_live_secret';
const LATENCY_EVENTS = 100;
const LATENCY_INTERVAL_MS = 100;
const BURST_EVENTS = 500;
const INTAKE_EVENTS = 2_000;
const BURST_CONCURRENCY = 32;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startGateway(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; origin: string }> {
  buildDist();
  const [command, ...args] = startCommand();
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    // The banner is on stderr (stdout carries JSON log lines only).
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = out.match(/Stripe GraphQL gateway: (http:\/\/\S+)\/graphql/);
      if (match) resolve({ child, origin: match[1]! });
    });
    child.once('exit', () => reject(new Error(`the gateway exited:\n${out}`)));
  });
}

/** One SSE subscriber: calls `onEvent(sentAt)` for each event received. */
async function subscribe(origin: string, dispatcher: Agent, onEvent: (sentAt: number, id: string) => void) {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'subscription { stripeEvents { id data } }' }),
    // @ts-expect-error undici's dispatcher option on Node's fetch
    dispatcher,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += chunk.value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const data = block.split('\n').find((line) => line.startsWith('data:'));
        if (!block.startsWith('event: next') || !data) continue;
        const event = (
          JSON.parse(data.slice(5)) as { data: { stripeEvents: { id: string; data: { sent_at: number } } } }
        ).data.stripeEvents;
        onEvent(event.data.sent_at, event.id);
      }
    }
  })();
  return () => reader.cancel().catch(() => {});
}

let sequence = 0;
function webhook(origin: string, dispatcher: Agent): Promise<number> {
  const id = `evt_bench_${++sequence}`;
  const payload = JSON.stringify({
    id,
    object: 'event',
    type: 'customer.updated',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: { id: 'cus_bench', object: 'customer', sent_at: performance.timeOrigin + performance.now() },
    },
  });
  // undici's request rather than fetch: the publisher must not be what limits the intake.
  return dispatcher
    .request({
      origin,
      path: '/webhooks/stripe',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(SECRET, payload) },
      body: payload,
    })
    .then(async (r) => {
      await r.body.dump();
      return r.statusCode;
    });
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function benchLive(): Promise<BenchRow[]> {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url, STRIPE_WEBHOOK_SECRET: SECRET };
  const gateways = [await startGateway(env), await startGateway(env)];
  const [a, b] = gateways as [(typeof gateways)[0], (typeof gateways)[0]];
  const subscriberPool = new Agent({ connections: SUBSCRIBERS + 10 });
  const publisherPool = new Agent({ connections: BURST_CONCURRENCY });
  const received = new Map<string, number>();
  let latencies: number[] = [];
  let recording = false;
  const closers: (() => unknown)[] = [];
  /** Sends `count` webhooks from BURST_CONCURRENCY clients; returns the seconds it took. */
  const burst = async (count: number) => {
    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: BURST_CONCURRENCY }, async () => {
        while (sent < count) {
          sent++;
          await webhook(a.origin, publisherPool);
        }
      }),
    );
    return (performance.now() - started) / 1000;
  };
  try {
    // The intake alone: nobody subscribed yet.
    await burst(200);
    const intakeAlone = INTAKE_EVENTS / (await burst(INTAKE_EVENTS));

    for (let i = 0; i < SUBSCRIBERS; i++) {
      closers.push(
        await subscribe(b.origin, subscriberPool, (sentAt, id) => {
          received.set(id, (received.get(id) ?? 0) + 1);
          if (recording) latencies.push(performance.timeOrigin + performance.now() - sentAt);
        }),
      );
    }
    // Ready once one event reaches every subscriber.
    for (let tries = 0; ; tries++) {
      const status = await webhook(a.origin, publisherPool);
      if (status !== 200) throw new Error(`the intake answered ${status}`);
      await sleep(100);
      if ((received.get(`evt_bench_${sequence}`) ?? 0) === SUBSCRIBERS) break;
      if (tries > 100) throw new Error('the subscribers never all listened');
    }

    // Latency at a steady pace.
    recording = true;
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      void webhook(a.origin, publisherPool);
      await sleep(LATENCY_INTERVAL_MS);
    }
    await sleep(500);
    recording = false;
    const sorted = [...latencies].sort((x, y) => x - y);
    latencies = [];

    // Throughput: a burst, until every subscriber has every event.
    const first = sequence + 1;
    const last = sequence + BURST_EVENTS;
    const started = performance.now();
    const intakeSeconds = await burst(BURST_EVENTS);
    const delivered = () => {
      let n = 0;
      for (let i = first; i <= last; i++) n += received.get(`evt_bench_${i}`) ?? 0;
      return n;
    };
    const deadline = performance.now() + 60_000;
    while (delivered() < BURST_EVENTS * SUBSCRIBERS && performance.now() < deadline) await sleep(20);
    const allSeconds = (performance.now() - started) / 1000;
    const bench = `live: webhook → Redis → ${SUBSCRIBERS} SSE subscribers on another replica`;
    return [
      {
        bench,
        metric: 'intake alone (signed, de-duplicated, published)',
        value: intakeAlone,
        unit: 'events/s',
      },
      {
        bench,
        metric: 'intake while delivering to the subscribers',
        value: BURST_EVENTS / intakeSeconds,
        unit: 'events/s',
      },
      { bench, metric: 'deliveries to subscribers', value: delivered() / allSeconds, unit: 'events/s' },
      {
        bench,
        metric: 'events every subscriber got, burst',
        value: delivered() / SUBSCRIBERS,
        unit: `of ${BURST_EVENTS}`,
      },
      {
        bench,
        metric: `webhook → subscriber p50 (${1000 / LATENCY_INTERVAL_MS}/s)`,
        value: percentile(sorted, 50),
        unit: 'ms',
      },
      {
        bench,
        metric: `webhook → subscriber p99 (${1000 / LATENCY_INTERVAL_MS}/s)`,
        value: percentile(sorted, 99),
        unit: 'ms',
      },
    ];
  } finally {
    for (const close of closers) await close();
    for (const g of gateways) {
      g.child.kill('SIGTERM');
      await new Promise((resolve) => g.child.once('exit', resolve));
    }
    await subscriberPool.close();
    await publisherPool.close();
    await redis.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchLive());
