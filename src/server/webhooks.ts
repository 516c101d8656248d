/**
 * Webhook intake: `POST /webhooks/stripe` (the path is configurable). The `Stripe-Signature` header
 * is checked as Stripe specifies (src/spec/webhook-signature.ts) against the endpoint secret(s); a bad,
 * missing or stale signature is answered 400 and nothing is published. The body has the intake's
 * own limit (`WEBHOOK_MAX_BODY_BYTES`, 1 MiB; the GraphQL body limit does not apply here): a
 * malformed signature header is refused before a byte of the body is read, and the body is counted
 * as it arrives, so a huge or endless one is refused 413 at the limit without being buffered.
 *
 * A valid event is claimed by its id (shared across replicas, so a redelivery that lands on another
 * replica is not published twice), handed to `onEvent` (cache invalidation) and published to
 * subscribers, all awaited before the answer: 200 once it is published (also for a duplicate:
 * Stripe would otherwise keep retrying it), 500 with a generic message when any of it failed, the
 * claim released so that Stripe's retry is processed. An event rendered at another API version
 * than the gateway's has its object read again at the gateway's version first (`reread`); one that
 * cannot be (deleted, not retrievable) is dropped with a log line and the `dropped_version` outcome.
 */
import type { Plugin } from 'graphql-yoga';
import type { StripeEvent } from '../schema/subscriptions.ts';
import { STRIPE_API_VERSION } from '../spec/stripe.ts';
import { verifySignature } from '../spec/webhook-signature.ts';
import { BodyTooLarge, readCounted } from './guards.ts';
import type { Logger } from './logger.ts';
import type { SharedState } from './pubsub.ts';

export const DEFAULT_WEBHOOK_PATH = '/webhooks/stripe';
/** Stripe retries a delivery for up to three days: remember event ids that long. */
const SEEN_TTL_SECONDS = 3 * 24 * 3600;
export type IntakeOutcome =
  | 'published'
  | 'duplicate'
  | 'bad_signature'
  | 'stale'
  | 'bad_payload'
  | 'too_large'
  | 'dropped_version'
  | 'failed';

/** An object read again at the gateway's API version; undefined when it cannot be (gone, not retrievable). */
export type Reread = (
  object: Record<string, unknown>,
  account: string | undefined,
) => Promise<Record<string, unknown> | undefined>;

export interface WebhookIntakeOptions {
  path: string;
  /** endpoint secrets (`whsec_…`); several while rolling one. None: the route is not served. */
  secrets: readonly string[];
  toleranceSeconds: number;
  /** largest body, counted as it arrives */
  maxBodyBytes: number;
  shared: SharedState;
  logger: Logger;
  /** runs before the event is published (e.g. cache invalidation) */
  onEvent?: (event: StripeEvent) => Promise<void> | void;
  /** told the outcome of every delivery (metrics) */
  onOutcome?: (outcome: IntakeOutcome) => void;
  /** reads an event's object at the gateway's version; without it such events are dropped */
  reread?: Reread;
  /** the version events are trusted at; default the gateway's (STRIPE_API_VERSION) */
  apiVersion?: string;
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

/** The event at the gateway's API version, or why it cannot be. */
async function atVersion(
  event: StripeEvent,
  apiVersion: string,
  reread: Reread | undefined,
): Promise<StripeEvent | string> {
  const version = event.api_version;
  if (typeof version !== 'string' || version === apiVersion) return event;
  if (!reread) return `rendered at API version ${version}, not ${apiVersion}, and nothing can read it again`;
  const object = await reread(
    event.data.object,
    typeof event.account === 'string' ? event.account : undefined,
  );
  if (object === undefined) {
    return `rendered at API version ${version}, not ${apiVersion}, and its object cannot be read again (deleted or not retrievable)`;
  }
  // previous_attributes are named at the other version: not trusted either.
  return { ...event, api_version: apiVersion, data: { object } };
}

export function useWebhookIntake(options: WebhookIntakeOptions): Plugin {
  const { path, secrets, toleranceSeconds, maxBodyBytes, shared, logger, onEvent, onOutcome, reread } =
    options;
  const apiVersion = options.apiVersion ?? STRIPE_API_VERSION;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path || secrets.length === 0) return;
      const answer = (status: number, body: unknown, outcome?: IntakeOutcome, close = false) => {
        if (outcome) onOutcome?.(outcome);
        endResponse(
          fetchAPI.Response.json(body, {
            status,
            // A refused body is not read to its end: the connection goes with it.
            headers: { 'cache-control': 'no-store', ...(close ? { connection: 'close' } : {}) },
          }),
        );
      };
      if (request.method !== 'POST') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST' } }));
        return;
      }
      const refuse = (code: string, message: string, outcome: IntakeOutcome) =>
        answer(400, { error: { code, message } }, outcome, true);
      const tooLarge = () =>
        answer(
          413,
          { error: { code: 'PAYLOAD_TOO_LARGE', message: `The body is larger than ${maxBodyBytes} bytes` } },
          'too_large',
          true,
        );
      const signature = request.headers.get('stripe-signature');
      // The header's shape needs no body (no secret either: no HMAC is computed).
      const shape = verifySignature(signature, '', { secrets: [] });
      if (!shape.ok && shape.reason === 'malformed') {
        return refuse('BAD_SIGNATURE', 'No signature matches the payload', 'bad_signature');
      }
      const length = request.headers.get('content-length');
      if (length !== null && !(Number(length) <= maxBodyBytes)) return tooLarge();
      return (async () => {
        let payload: string;
        try {
          payload = request.body
            ? new TextDecoder().decode(await readCounted(request.body, maxBodyBytes))
            : '';
        } catch (error) {
          if (error instanceof BodyTooLarge) return tooLarge();
          throw error;
        }
        const check = verifySignature(signature, payload, { secrets, toleranceSeconds });
        if (!check.ok) {
          if (check.reason === 'stale') {
            return refuse('STALE_SIGNATURE', 'The signature timestamp is outside the tolerance', 'stale');
          }
          return refuse('BAD_SIGNATURE', 'No signature matches the payload', 'bad_signature');
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(payload);
        } catch {
          return refuse('BAD_PAYLOAD', 'The body is not JSON', 'bad_payload');
        }
        if (!isEvent(parsed)) return refuse('BAD_PAYLOAD', 'The body is not a Stripe event', 'bad_payload');
        const received: StripeEvent = parsed;
        const seenKey = `webhook:seen:${received.id}`;
        let claimed = false;
        try {
          if (!(await shared.claim(seenKey, SEEN_TTL_SECONDS))) {
            return answer(200, { received: true, duplicate: true }, 'duplicate');
          }
          claimed = true;
          const event = await atVersion(received, apiVersion, reread);
          if (typeof event === 'string') {
            logger.warn('webhook event dropped', {
              eventId: received.id,
              type: received.type,
              reason: event,
            });
            return answer(200, { received: true, dropped: true }, 'dropped_version');
          }
          await onEvent?.(event);
          await shared.publish(event);
          logger.debug('webhook event published', { eventId: event.id, type: event.type });
          return answer(200, { received: true }, 'published');
        } catch (error) {
          // Not published: let Stripe's retry try again. (Never the error's text: it may be ioredis'.)
          if (claimed) await shared.release(seenKey).catch(() => {});
          logger.error('webhook intake failed', { error, eventId: received.id });
          return answer(500, { error: { code: 'INTAKE_FAILED', message: 'Try again later' } }, 'failed');
        }
      })();
    },
  };
}
