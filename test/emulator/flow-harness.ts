/**
 * Flow tests: the gateway over the emulator, wired as `npm start` wires them. The emulator's
 * webhook dispatcher POSTs each event to a loopback endpoint that hands it to the gateway's
 * `/webhooks/stripe` (signed with the endpoint's own secret, which the gateway accepts), so the
 * events reach GraphQL subscriptions as a user's would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { type Harness, startHarness } from '../server/harness.ts';
import { listening, type ResultStream, subscribeOver } from '../server/sse.ts';

export interface DeliveredEvent {
  id: string;
  type: string;
  data: Record<string, any>;
  object: Record<string, any> | null;
  previousAttributes: Record<string, any> | null;
}

export interface FlowHarness extends Harness {
  /** Runs an operation, failing on any error; returns its data. */
  ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Runs an operation that must fail; returns its first error's code. */
  fails(query: string, variables?: Record<string, unknown>): Promise<string | undefined>;
  /** A `stripeEvents` subscription listening (`types` filters), with `selection` for the object. */
  subscribe(types?: readonly string[], selection?: string): Promise<EventStream>;
}

export interface EventStream {
  /** Reads events until `count` of them arrived (sentinels skipped). */
  take(count: number): Promise<DeliveredEvent[]>;
  /** Reads events until one of each of `types` arrived in that order; returns all read. */
  until(types: readonly string[]): Promise<DeliveredEvent[]>;
  close(): void;
}

const SENTINEL = 'flow.sentinel';
let sentinels = 0;

export async function startFlows(): Promise<FlowHarness & { server: Server }> {
  const h = await startHarness({ STRIPE_WEBHOOK_SECRET: 'whsec_flow_tests_unused' });
  let recorded = 0;
  let forwarded = 0;
  h.emulator.service.onEvents((events) => {
    recorded += events.length;
  });
  /** Waits until every event recorded so far has been through the gateway's webhook. */
  const settled = async () => {
    for (let i = 0; i < 500 && forwarded < recorded; i++) await new Promise((r) => setTimeout(r, 10));
  };
  // The gateway's webhook endpoint, as `npm start` registers it (loopback, every event).
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers[name] = value;
      void h
        .fetch(req.url ?? '/', { method: 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (response) => {
          res.writeHead(response.status, { 'content-type': 'application/json' });
          res.end(await response.text());
          forwarded++;
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = await h.admin.request<{ secret: string }>({
    method: 'POST',
    path: '/v1/webhook_endpoints',
    params: { url: `http://127.0.0.1:${port}/webhooks/stripe`, enabled_events: ['*'] },
  });
  h.gateway.live.acceptWebhookSecret(endpoint.secret);

  const publish = (event: StripeEvent) => h.gateway.live.shared.pubsub.publish(EVENTS_TOPIC, event);
  const sentinel = (): StripeEvent => ({
    id: `evt_sentinel_${++sentinels}`,
    object: 'event',
    type: SENTINEL,
    created: 1,
    data: { object: { id: 'ping', object: 'ping' } },
  });

  async function ok(query: string, variables?: Record<string, unknown>) {
    const response = await h.query(query, variables ? { variables } : {});
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response.body.data as Record<string, any>;
  }

  async function fails(query: string, variables?: Record<string, unknown>) {
    const response = await h.query(query, variables ? { variables } : {});
    expect(response.body.errors?.length, JSON.stringify(response.body)).toBeGreaterThan(0);
    return response.body.errors?.[0]?.extensions?.code as string | undefined;
  }

  async function subscribe(types?: readonly string[], selection = 'id') {
    // Events of earlier steps still on their way would otherwise reach this subscription.
    await settled();
    const filter = types ? `(types: ${JSON.stringify([...types, SENTINEL])})` : '';
    const stream: ResultStream = await subscribeOver(
      h.gateway.yoga,
      `subscription { stripeEvents${filter} { id type data previousAttributes object { ${selection} } } }`,
    );
    await listening(stream, publish, sentinel);
    const next = async (): Promise<DeliveredEvent> => {
      for (;;) {
        const result = await stream.next(10_000);
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        const event = (result.data as { stripeEvents: DeliveredEvent }).stripeEvents;
        if (event.type !== SENTINEL) return event;
      }
    };
    return {
      async take(count: number) {
        const out: DeliveredEvent[] = [];
        while (out.length < count) out.push(await next());
        return out;
      },
      async until(types: readonly string[]) {
        const out: DeliveredEvent[] = [];
        let i = 0;
        while (i < types.length) {
          const event = await next();
          out.push(event);
          if (event.type === types[i]) i++;
        }
        return out;
      },
      close: () => stream.close(),
    };
  }

  return {
    ...h,
    server,
    ok,
    fails,
    subscribe,
    async close() {
      await h.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The types of `events` that are among `types`, in order. */
export const typesAmong = (events: readonly { type: string }[], types: readonly string[]) =>
  events.map((e) => e.type).filter((t) => types.includes(t));
