/**
 * What replicas share: Stripe's events (pub/sub for subscriptions), "seen" marks (webhook event ids
 * already published) and a small key-value store (the object cache). With a Redis URL they live in
 * Redis, through Yoga's Redis event target and ioredis, so an event taken in by one replica reaches
 * subscribers on every replica; without one they live in this process.
 */

import { setMaxListeners } from 'node:events';
import { createRequire } from 'node:module';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { StripeEvent } from '../schema/subscriptions.ts';

/**
 * ioredis and Yoga's Redis event target are required when a Redis URL is first used: a gateway
 * without one never loads them (ioredis alone is about 1.4 MB of heap and 50 ms of start-up).
 */
const requireOnUse = createRequire(import.meta.url);
const ioredis = () => requireOnUse('ioredis') as typeof import('ioredis');
const redisEventTarget = () =>
  requireOnUse('@graphql-yoga/redis-event-target') as typeof import('@graphql-yoga/redis-event-target');

export const EVENTS_TOPIC = 'stripe:events';

/** The Redis channel events travel on (`PUBSUB NUMSUB` it to see how many replicas listen). */
export const eventsChannel = (prefix: string) => `${prefix}${EVENTS_TOPIC}`;

export type EventPubSub = PubSub<{ [EVENTS_TOPIC]: [StripeEvent] }>;

/** Events a subscriber may fall behind by; past that its oldest unread ones are dropped. */
export const SUBSCRIBER_BUFFER = 1024;

/** Where the pub/sub's events are dispatched (an EventTarget, or Redis' event target). */
export interface EventSource {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Ends a subscriber (shutdown); `open` holds one per subscriber while it reads. */
type End = () => void;
type OpenSet = { add(end: End): void; delete(end: End): void };

const DONE: IteratorResult<StripeEvent> = { value: undefined, done: true };

/**
 * The subscribers of one event source in this process, behind a single listener on it: one
 * listener record on the source, not one each (Node's EventTarget keeps a record, a weak reference
 * and a wrapper per listener).
 */
class Fanout {
  readonly #source: EventSource;
  readonly #subscribers = new Set<Subscriber>();
  readonly #listener = (event: Event) => {
    const detail = (event as CustomEvent<StripeEvent>).detail;
    for (const subscriber of this.#subscribers) subscriber.push(detail);
  };
  constructor(source: EventSource) {
    this.#source = source;
  }
  add(subscriber: Subscriber): void {
    if (this.#subscribers.size === 0) this.#source.addEventListener(EVENTS_TOPIC, this.#listener);
    this.#subscribers.add(subscriber);
  }
  delete(subscriber: Subscriber): void {
    if (this.#subscribers.delete(subscriber) && this.#subscribers.size === 0)
      this.#source.removeEventListener(EVENTS_TOPIC, this.#listener);
  }
}

const fanouts = new WeakMap<EventSource, Fanout>();

/**
 * One subscriber's events, in a sliding buffer of its own: a slow subscriber loses its oldest
 * unread events (past `SUBSCRIBER_BUFFER`) rather than being cut off or holding memory without
 * bound. It starts listening at its first `next()` and stops at `return()` or at its `end`
 * (shutdown: what is buffered is still read, then it is done). A plain iterator: a repeater with a
 * sliding buffer and a listener of its own was 2.4 KB a subscriber, this 0.7 KB (10,000
 * subscribers each waiting in `next()`, heap after a full collection).
 */
class Subscriber implements AsyncIterableIterator<StripeEvent> {
  #buffer: StripeEvent[] = [];
  /** the pending `next()`, while the buffer is empty */
  #waiting: ((result: IteratorResult<StripeEvent>) => void) | undefined;
  #state: 'idle' | 'open' | 'done' = 'idle';
  readonly #fanout: Fanout;
  readonly #open: OpenSet | undefined;
  readonly #end: End = () => this.#finish();

  constructor(fanout: Fanout, open: OpenSet | undefined) {
    this.#fanout = fanout;
    this.#open = open;
  }

  push(event: StripeEvent): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ value: event, done: false });
      return;
    }
    if (this.#buffer.push(event) > SUBSCRIBER_BUFFER) this.#buffer.shift();
  }

  next(): Promise<IteratorResult<StripeEvent>> {
    if (this.#state === 'idle') {
      this.#state = 'open';
      this.#fanout.add(this);
      // May end it at once (the gateway is shutting down).
      this.#open?.add(this.#end);
    }
    if (this.#buffer.length > 0) return Promise.resolve({ value: this.#buffer.shift()!, done: false });
    if (this.#state === 'done') return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<StripeEvent>> {
    this.#buffer = [];
    this.#finish();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    if (this.#state === 'done') return;
    const started = this.#state === 'open';
    this.#state = 'done';
    if (started) {
      this.#fanout.delete(this);
      this.#open?.delete(this.#end);
    }
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(DONE);
  }
}

/**
 * Stripe's events for one subscriber, straight from the pub/sub's event target (no loop of
 * `pubsub.subscribe` per subscriber). Each subscriber's end is added to `open` (when given) as it
 * starts and deleted when it ends.
 */
export function subscribeEvents(source: EventSource, open?: OpenSet): AsyncIterable<StripeEvent> {
  let fanout = fanouts.get(source);
  if (!fanout) {
    fanout = new Fanout(source);
    fanouts.set(source, fanout);
  }
  return new Subscriber(fanout, open);
}

export interface SharedState {
  readonly pubsub: EventPubSub;
  /** the pub/sub's event target, for subscribers (`subscribeEvents`) */
  readonly events: EventSource;
  /** the command connection when shared through Redis */
  readonly redis: Redis | undefined;
  /** Prefix of every Redis key and channel this gateway uses. */
  readonly prefix: string;
  /**
   * Marks `key` as taken for `ttlSeconds`; true only for the first caller (on any replica) in that
   * time.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Publishes an event to subscribers on every replica; resolves once it is handed to Redis (or local ones). */
  publish(event: StripeEvent): Promise<void>;
  /** Forgets a claim (the work it guarded failed and may be retried). */
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  /** `redis://…`; undefined keeps everything in this process */
  redisUrl?: string | undefined;
  /** default `sgg:` */
  prefix?: string;
}

/** In-process claims: insertion order is expiry order (one TTL per caller), so expired ones are at the front. */
class LocalClaims {
  private readonly until = new Map<string, number>();

  claim(key: string, ttlSeconds: number): boolean {
    const now = Date.now();
    for (const [k, expires] of this.until) {
      if (expires > now) break;
      this.until.delete(k);
    }
    const expires = this.until.get(key);
    if (expires !== undefined && expires > now) return false;
    this.until.delete(key);
    this.until.set(key, now + ttlSeconds * 1000);
    return true;
  }

  release(key: string): void {
    this.until.delete(key);
  }
}

/** Longest a Redis command may take before its caller falls back (a hung server, not a down one). */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

export function connectRedis(url: string): Redis {
  const redis = new (ioredis().Redis)(url, {
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  // ioredis reconnects by itself; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}

/** What falls back to this process when Redis cannot be used. */
export type FallbackUse = 'cache' | 'rate_budget';
/** Told of every operation that fell back (metrics, a log line). */
export type OnFallback = (use: FallbackUse, error: unknown) => void;

/**
 * Redis as an accelerator: `shared` runs on Redis when its connection is up, `local` instead when it
 * is not (no command waits in ioredis' offline queue while it reconnects) or when the command fails
 * or times out. `keep` marks errors that are answers, not failures (rethrown as they are).
 */
export async function withFallback<T>(
  redis: Redis,
  use: FallbackUse,
  onFallback: OnFallback | undefined,
  shared: () => Promise<T>,
  local: () => T | Promise<T>,
  keep: (error: unknown) => boolean = () => false,
): Promise<T> {
  if (redis.status !== 'ready') {
    onFallback?.(use, new Error(`the Redis connection is ${redis.status}`));
    return local();
  }
  try {
    return await shared();
  } catch (error) {
    if (keep(error)) throw error;
    onFallback?.(use, error);
    return local();
  }
}

export function createSharedState(options: SharedStateOptions = {}): SharedState {
  const prefix = options.prefix ?? 'sgg:';
  if (!options.redisUrl) {
    const claims = new LocalClaims();
    // One listener per subscriber on one target: MAX_SUBSCRIPTIONS bounds them, not Node's warning at 11.
    const target = new EventTarget();
    setMaxListeners(0, target);
    const pubsub: EventPubSub = createPubSub({ eventTarget: target });
    return {
      pubsub,
      events: target,
      redis: undefined,
      prefix,
      publish: async (event) => pubsub.publish(EVENTS_TOPIC, event),
      claim: async (key, ttl) => claims.claim(key, ttl),
      release: async (key) => claims.release(key),
      close: async () => {},
    };
  }
  const redis = connectRedis(options.redisUrl);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  const target = redisEventTarget().createRedisEventTarget<CustomEvent>({
    publishClient: redis,
    subscribeClient: subscriber,
  });
  // Topics are namespaced by the prefix so that several gateways can share one Redis.
  const events = {
    addEventListener: (type: string, listener: (event: Event) => void) =>
      target.addEventListener(`${prefix}${type}`, listener as EventListener),
    removeEventListener: (type: string, listener: (event: Event) => void) =>
      target.removeEventListener(`${prefix}${type}`, listener as EventListener),
  };
  const pubsub = createPubSub({
    eventTarget: {
      ...events,
      dispatchEvent: (event) =>
        target.dispatchEvent(new CustomEvent(`${prefix}${event.type}`, { detail: event.detail })),
    },
  }) as EventPubSub;
  const channel = eventsChannel(prefix);
  return {
    pubsub,
    events,
    redis,
    prefix,
    // What the Redis event target's dispatch sends, but awaited (its own publish is fire-and-forget).
    async publish(event) {
      await redis.publish(channel, JSON.stringify(event));
    },
    async claim(key, ttlSeconds) {
      // Not queued while reconnecting: the webhook answers 500 at once and Stripe retries later.
      if (redis.status !== 'ready') throw new Error(`the Redis connection is ${redis.status}`);
      return (await redis.set(`${prefix}${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    async release(key) {
      await redis.del(`${prefix}${key}`);
    },
    async close() {
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
