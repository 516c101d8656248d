/**
 * Webhook intake: `POST /webhooks/stripe` (the path is configurable). The `Stripe-Signature` header
 * is checked as Stripe specifies (src/rest/signature.ts) against the endpoint secret(s); a bad,
 * missing or stale signature is answered 400 and nothing is published. A valid event is claimed by
 * its id (shared across replicas, so a redelivery that lands on another replica is not published
 * twice), handed to `onEvent` (cache invalidation) and published to subscribers; the answer is a
 * quick 200, also for a duplicate (Stripe would otherwise keep retrying it).
 */
import type { Plugin } from 'graphql-yoga';
import { verifySignature } from '../rest/signature.ts';
import type { Logger } from './logger.ts';
import { EVENTS_TOPIC, type SharedState, type StripeEvent } from './pubsub.ts';

export const DEFAULT_WEBHOOK_PATH = '/webhooks/stripe';
/** Stripe retries a delivery for up to three days: remember event ids that long. */
const SEEN_TTL_SECONDS = 3 * 24 * 3600;
/** Stripe's event payloads are small; anything far larger is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

export type IntakeOutcome = 'published' | 'duplicate' | 'bad_signature' | 'stale' | 'bad_payload';

export interface WebhookIntakeOptions {
  path: string;
  /** endpoint secrets (`whsec_…`); several while rolling one. None: the route is not served. */
  secrets: readonly string[];
  toleranceSeconds: number;
  shared: SharedState;
  logger: Logger;
  /** runs before the event is published (e.g. cache invalidation) */
  onEvent?: (event: StripeEvent) => Promise<void> | void;
  /** told the outcome of every delivery (metrics) */
  onOutcome?: (outcome: IntakeOutcome) => void;
}

function isEvent(value: unknown): value is StripeEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const data = v.data as Record<string, unknown> | undefined;
  return (
    v.object === 'event' &&
    typeof v.id === 'string' &&
    v.id.length > 0 &&
    v.id.length < 256 &&
    typeof v.type === 'string' &&
    typeof v.created === 'number' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.object === 'object' &&
    data.object !== null
  );
}

export function useWebhookIntake(options: WebhookIntakeOptions): Plugin {
  const { path, secrets, toleranceSeconds, shared, logger, onEvent, onOutcome } = options;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path || secrets.length === 0) return;
      const answer = (status: number, body: unknown, outcome?: IntakeOutcome) => {
        if (outcome) onOutcome?.(outcome);
        endResponse(fetchAPI.Response.json(body, { status, headers: { 'cache-control': 'no-store' } }));
      };
      if (request.method !== 'POST') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST' } }));
        return;
      }
      const refuse = (code: string, message: string, outcome: IntakeOutcome) =>
        answer(400, { error: { code, message } }, outcome);
      return (async () => {
        const length = Number(request.headers.get('content-length') ?? 0);
        if (length > MAX_BODY_BYTES)
          return refuse('PAYLOAD_TOO_LARGE', 'The body is too large', 'bad_payload');
        const payload = await request.text();
        const check = verifySignature(request.headers.get('stripe-signature'), payload, {
          secrets,
          toleranceSeconds,
        });
        if (!check.ok) {
          if (check.reason === 'stale') {
            return refuse('STALE_SIGNATURE', 'The signature timestamp is outside the tolerance', 'stale');
          }
          return refuse('BAD_SIGNATURE', 'No signature matches the payload', 'bad_signature');
        }
        let event: unknown;
        try {
          event = JSON.parse(payload);
        } catch {
          return refuse('BAD_PAYLOAD', 'The body is not JSON', 'bad_payload');
        }
        if (!isEvent(event)) return refuse('BAD_PAYLOAD', 'The body is not a Stripe event', 'bad_payload');
        const seenKey = `webhook:seen:${event.id}`;
        if (!(await shared.claim(seenKey, SEEN_TTL_SECONDS))) {
          return answer(200, { received: true, duplicate: true }, 'duplicate');
        }
        try {
          await onEvent?.(event);
          shared.pubsub.publish(EVENTS_TOPIC, event);
        } catch (error) {
          // Not published: let Stripe's retry try again.
          await shared.release(seenKey).catch(() => {});
          logger.error('webhook intake failed', { error, eventId: event.id });
          return answer(500, { error: { code: 'INTAKE_FAILED', message: 'Try again later' } });
        }
        logger.debug('webhook event published', { eventId: event.id, type: event.type });
        return answer(200, { received: true }, 'published');
      })();
    },
  };
}
