/**
 * Live data and scale-out, wired for one gateway: the shared state (Redis or in-process), the
 * webhook intake, the subscriptions' context, the shared rate budget and the opt-in object cache,
 * with their metrics.
 */
import type { Plugin } from 'graphql-yoga';
import type { RateLimiter, RestClient } from '../rest/client.ts';
import type { Silence, StripeEvent } from '../schema/subscriptions.ts';
import { ObjectCache } from './cache.ts';
import type { LiveConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';
import {
  createSharedState,
  type FallbackUse,
  type OnFallback,
  type SharedState,
  subscribeEvents,
} from './pubsub.ts';
import { RateBudget } from './rate-budget.ts';
import { type Reread, useWebhookIntake } from './webhooks.ts';

const FALLBACK_LOG_INTERVAL_MS = 60_000;

/** A gateway with neither a webhook secret nor Redis: no event can ever reach a subscriber. */
const SILENCE: Silence = {
  message:
    'No Stripe event can reach a subscription here: the webhook intake is off (no STRIPE_WEBHOOK_SECRET) ' +
    'and no other replica shares its events (no REDIS_URL); the server needs one of them',
  missing: ['STRIPE_WEBHOOK_SECRET', 'REDIS_URL'],
};

export interface Live {
  readonly shared: SharedState;
  /** undefined without `STRIPE_RATE_LIMIT` */
  readonly budget: RateLimiter | undefined;
  /** undefined without `CACHE_TTL_SECONDS` */
  readonly cache: ObjectCache | undefined;
  /**
   * The REST client through the cache (when on), for sessions of one customer scope (undefined:
   * none); each call's own API key (passthrough) is part of the cache key too.
   */
  restFor(rest: RestClient, scope?: string): RestClient;
  /** Stripe's events as they arrive, on any replica, for one subscriber. */
  events(): AsyncIterable<StripeEvent>;
  /**
   * Why no event can reach `events()`, or undefined: events come in through the webhook intake
   * (on with a secret, configured or accepted at start-up) or from other replicas through Redis.
   */
  silence(): Silence | undefined;
  /** subscribers reading `events()` now */
  readonly subscribers: number;
  /**
   * Ends every open subscription to `events()` (shutdown): each stream completes, so SSE clients
   * get `event: complete` and WebSocket clients a `complete` message, at once.
   */
  endSubscriptions(): void;
  /** Accepts webhooks signed with this secret too (an endpoint registered at start-up). */
  acceptWebhookSecret(secret: string): void;
  /** The webhook intake, with its body limit and how it reads objects at the gateway's version. */
  plugins(intake: { maxBodyBytes: number; reread?: Reread }): Plugin[];
  close(): Promise<void>;
}

export function createLive(options: {
  config: LiveConfig;
  secretKey: string | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
  /** shared state made elsewhere (tests); default from `config.redisUrl` */
  shared?: SharedState;
}): Live {
  const { config, metrics, logger } = options;
  const secretKey = options.secretKey ?? '';
  const shared = options.shared ?? createSharedState({ redisUrl: config.redisUrl });
  const registry = metrics.registry;
  const webhooks = registry.counter('stripe_webhooks_total', 'Webhook deliveries received, by outcome.', [
    'outcome',
  ]);
  const budgetWaits = registry.counter(
    'stripe_rate_budget_waits_total',
    'Stripe calls that waited for the shared rate budget (queued) or gave up (refused).',
    ['outcome'],
  );
  const cacheLookups = registry.counter(
    'stripe_cache_lookups_total',
    'Object cache lookups; each hit is a Stripe call saved.',
    ['outcome'],
  );

  const fallbacks = registry.counter(
    'redis_fallbacks_total',
    'Operations served by this process because Redis was down or failing, by use (cache, rate_budget).',
    ['use'],
  );
  // One log line per use when the fallback starts, then at most one a minute while it lasts.
  const lastLogged = new Map<FallbackUse, number>();
  const onFallback: OnFallback = (use, error) => {
    fallbacks.inc({ use });
    const now = Date.now();
    if (now - (lastLogged.get(use) ?? 0) < FALLBACK_LOG_INTERVAL_MS) return;
    lastLogged.set(use, now);
    logger.warn('redis unavailable: using this process instead', {
      use,
      error: error instanceof Error ? error.message : String(error),
    });
  };

  const budget =
    config.rateLimitPerSecond > 0
      ? new RateBudget({
          perSecond: config.rateLimitPerSecond,
          maxWaitMs: config.rateLimitMaxWaitMs,
          secretKey,
          redis: shared.redis,
          prefix: shared.prefix,
          onWait: (outcome) => budgetWaits.inc({ outcome }),
          onFallback,
        })
      : undefined;
  const cache =
    config.cacheTtlSeconds > 0
      ? new ObjectCache({
          ttlSeconds: config.cacheTtlSeconds,
          redis: shared.redis,
          prefix: shared.prefix,
          onLookup: (outcome) => cacheLookups.inc({ outcome }),
          onFallback,
        })
      : undefined;

  const secrets = [...config.webhookSecrets];
  // Each running subscriber's stop; after endSubscriptions() one that starts ends at once.
  const open = new Set<() => void>();
  let ended = false;
  const subscribers = {
    add: (end: () => void) => (ended ? end() : open.add(end)),
    delete: (end: () => void) => open.delete(end),
  };
  const events = (): AsyncIterable<StripeEvent> => subscribeEvents(shared.events, subscribers);

  return {
    shared,
    budget,
    cache,
    restFor: (rest, scope) =>
      cache ? cache.wrap(rest, { secretKey, ...(scope === undefined ? {} : { scope }) }) : rest,
    events,
    silence: () => (secrets.length > 0 || shared.redis ? undefined : SILENCE),
    get subscribers() {
      return open.size;
    },
    endSubscriptions: () => {
      ended = true;
      for (const end of [...open]) end();
    },
    acceptWebhookSecret: (secret) => {
      if (!secrets.includes(secret)) secrets.push(secret);
    },
    plugins(intake) {
      return [
        useWebhookIntake({
          path: config.webhookPath,
          secrets,
          toleranceSeconds: config.webhookToleranceSeconds,
          maxBodyBytes: intake.maxBodyBytes,
          ...(intake.reread ? { reread: intake.reread } : {}),
          shared,
          logger,
          onOutcome: (outcome) => webhooks.inc({ outcome }),
          ...(cache ? { onEvent: (event) => cache.invalidate(event).then(() => {}) } : {}),
        }),
      ];
    },
    close: () => (options.shared ? Promise.resolve() : shared.close()),
  };
}
