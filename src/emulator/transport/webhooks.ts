/**
 * Webhook delivery, as Stripe does it: each event a request commits is POSTed to every enabled
 * webhook endpoint (created through `/v1/webhook_endpoints`) whose `enabled_events` lists its type
 * or `*`, signed with that endpoint's own `whsec_…` secret (`Stripe-Signature`, see
 * src/spec/webhook-signature.ts). A delivery that fails (no answer, or not 2xx) is retried with growing
 * delays. An endpoint gets a request's events in the order they were recorded (each first attempt
 * waits for the one before it; retries do not hold the queue). Only endpoints on loopback hosts are called unless `allowHosts` says otherwise: the
 * demo data's endpoints point at example.com, and an emulator has no business calling out.
 * Events of a connected account go to endpoints created with `connect: true`.
 */
import { signatureHeader } from '../../spec/webhook-signature.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import type { JsonObject } from '../engine/json.ts';

/** Stripe retries for days; the emulator's default schedule is seconds (tests pass shorter ones). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000];
const ATTEMPT_TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface WebhookOptions {
  /** delays before each retry; its length is the number of retries */
  retryDelaysMs?: readonly number[];
  /** hosts besides loopback that may be called */
  allowHosts?: readonly string[];
  /** what sends a delivery (default the global `fetch`; in-process tests hand the gateway's) */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  endpoint: string;
  url: string;
  attempt: number;
  /** HTTP status, or null when the endpoint did not answer */
  status: number | null;
  ok: boolean;
  at: number;
}

const MAX_LOG = 10_000;

export class WebhookDispatcher {
  /** recent attempts, oldest first (bounded) */
  readonly attempts: DeliveryAttempt[] = [];
  private readonly retryDelaysMs: readonly number[];
  private readonly allowHosts: ReadonlySet<string>;
  private readonly send: (url: string, init: RequestInit) => Promise<Response>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  /** per endpoint, the first attempt of the latest event queued for it */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly service: EmulatorHandle,
    options: WebhookOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.allowHosts = new Set(options.allowHosts ?? []);
    this.send = options.fetch ?? fetch;
    this.unsubscribe = service.onEvents((events) => {
      for (const event of events) this.dispatch(event);
    });
  }

  /** Stops delivering: pending retries are dropped, in-flight deliveries aborted. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }

  private endpointsFor(event: JsonObject): JsonObject[] {
    const type = String(event.type);
    const connect = typeof event.account === 'string';
    const out: JsonObject[] = [];
    for (const entry of this.service.store.platform.all('webhook_endpoint')) {
      const endpoint = entry.data;
      if (endpoint.status !== 'enabled' || Boolean(endpoint.connect) !== connect) continue;
      const enabled = Array.isArray(endpoint.enabled_events) ? endpoint.enabled_events : [];
      if (!enabled.includes('*') && !enabled.includes(type)) continue;
      let host: string;
      try {
        host = new URL(String(endpoint.url)).hostname;
      } catch {
        continue;
      }
      if (!LOOPBACK.has(host) && !this.allowHosts.has(host)) continue;
      out.push(endpoint);
    }
    return out;
  }

  private dispatch(event: JsonObject): void {
    if (this.closed) return;
    const payload = JSON.stringify(event);
    for (const endpoint of this.endpointsFor(event)) {
      const id = String(endpoint.id);
      const next = (this.queues.get(id) ?? Promise.resolve()).then(() =>
        this.deliver(event, payload, endpoint, 0),
      );
      this.queues.set(id, next);
      void next.then(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      });
    }
  }

  private async deliver(event: JsonObject, payload: string, endpoint: JsonObject, attempt: number) {
    if (this.closed) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    let status: number | null = null;
    try {
      const response = await this.send(String(endpoint.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(String(endpoint.secret), payload),
        },
        body: payload,
        signal: controller.signal,
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch {
      // No answer: retried below.
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    const ok = status !== null && status >= 200 && status < 300;
    this.attempts.push({
      eventId: String(event.id),
      type: String(event.type),
      endpoint: String(endpoint.id),
      url: String(endpoint.url),
      attempt: attempt + 1,
      status,
      ok,
      at: Date.now(),
    });
    if (this.attempts.length > MAX_LOG) this.attempts.splice(0, this.attempts.length - MAX_LOG);
    const delay = this.retryDelaysMs[attempt];
    if (ok || delay === undefined || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(event, payload, endpoint, attempt + 1);
    }, delay);
    this.timers.add(timer);
  }
}
