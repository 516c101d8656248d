/**
 * Flow tests: the gateway over the emulator, wired as `npm start` wires them. The emulator's
 * webhook dispatcher POSTs each event to an endpoint at the gateway's `/webhooks/stripe` (in-process,
 * signed with the endpoint's own secret, which the gateway accepts), so the events reach GraphQL
 * subscriptions as a user's would.
 */
import { expect } from 'vitest';
import type { StripeEvent } from '../../src/schema/subscriptions.ts';
import { EVENTS_TOPIC } from '../../src/server/pubsub.ts';
import { GATEWAY_URL, type Harness, startHarness } from '../server/harness.ts';
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

export async function startFlows(): Promise<FlowHarness> {
  const h = await startHarness({ STRIPE_WEBHOOK_SECRET: 'whsec_flow_tests_unused' });
  let recorded = 0;
  h.emulator.service.onEvents((events) => {
    // A connected account's events go to Connect endpoints only, not to this one.
    recorded += events.filter((event) => typeof event.account !== 'string').length;
  });
  // The gateway's webhook endpoint, as `npm start` registers it (every event).
  const endpoint = await h.admin.request<{ id: string; secret: string }>({
    method: 'POST',
    path: '/v1/webhook_endpoints',
    params: { url: `${GATEWAY_URL}/webhooks/stripe`, enabled_events: ['*'] },
  });
  const forwarded = () =>
    h.emulator.webhooks.attempts.filter((a) => a.endpoint === endpoint.id && a.attempt === 1).length;
  /** Waits until every event recorded so far has been through the gateway's webhook. */
  const settled = async () => {
    for (let i = 0; i < 500 && forwarded() < recorded; i++) await new Promise((r) => setTimeout(r, 10));
  };
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
    ok,
    fails,
    subscribe,
  };
}

/** The types of `events` that are among `types`, in order. */
export const typesAmong = (events: readonly { type: string }[], types: readonly string[]) =>
  events.map((e) => e.type).filter((t) => types.includes(t));
