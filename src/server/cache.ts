/**
 * The opt-in cache of Stripe objects (`CACHE_TTL_SECONDS`): a wrapper around the REST client that
 * answers repeated retrieves (`GET /v1/customers/{customer}`, with their `expand[]`) from a store
 * shared by the replicas (Redis when configured, this process otherwise). Entries are keyed by
 * upstream session: a hash of the API key, the connected account and the caller's scope, so
 * answers are never shared between keys, accounts or scopes. Each entry is tagged with the id of
 * every object inside it; a webhook event about an object drops every entry that holds it (see
 * `invalidate`), and the TTL bounds how stale anything can be when a webhook is lost. Lists and
 * searches are not cached. Calls answered from the cache are counted (`hits`).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ListRequest, RestClient, RestRequest } from '../rest/client.ts';
import type { StripeEvent } from '../schema/subscriptions.ts';
import { endsWithParam } from '../spec/paths.ts';
import { type OnFallback, withFallback } from './pubsub.ts';

/** Objects walked when tagging an entry; a retrieve with expansions holds a handful. */
const MAX_TAGS = 200;
const MAX_TAG_DEPTH = 6;

export interface ObjectCacheOptions {
  ttlSeconds: number;
  /** shared through Redis when set */
  redis?: Redis | undefined;
  prefix?: string;
  onLookup?: (outcome: 'hit' | 'miss') => void;
  /** told when Redis could not be used and this process' store answered instead */
  onFallback?: OnFallback;
}

/** The ids of the objects inside a response, bounded. */
export function objectIds(value: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (depth > MAX_TAG_DEPTH || into.size >= MAX_TAGS || typeof value !== 'object' || value === null)
    return into;
  if (Array.isArray(value)) {
    for (const item of value) objectIds(item, into, depth + 1);
    return into;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.id === 'string' && typeof record.object === 'string') into.add(record.id);
  for (const child of Object.values(record))
    if (typeof child === 'object' && child !== null) objectIds(child, into, depth + 1);
  return into;
}

interface Store {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, tags: readonly string[], ttlSeconds: number): Promise<void>;
  dropTagged(tags: readonly string[]): Promise<number>;
}

class LocalStore implements Store {
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private readonly tagged = new Map<string, Set<string>>();

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, tags: readonly string[], ttlSeconds: number) {
    const now = Date.now();
    // Entries share one TTL, so the oldest insertions expire first.
    for (const [k, entry] of this.entries) {
      if (entry.expires > now) break;
      this.entries.delete(k);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + ttlSeconds * 1000 });
    for (const tag of tags) {
      const keys = this.tagged.get(tag) ?? new Set<string>();
      keys.add(key);
      this.tagged.set(tag, keys);
    }
  }

  async dropTagged(tags: readonly string[]) {
    let dropped = 0;
    for (const tag of tags) {
      for (const key of this.tagged.get(tag) ?? []) if (this.entries.delete(key)) dropped++;
      this.tagged.delete(tag);
    }
    return dropped;
  }
}

class RedisStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string) {
    return (await this.redis.get(`${this.prefix}e:${key}`)) ?? undefined;
  }

  async set(key: string, value: string, tags: readonly string[], ttlSeconds: number) {
    const multi = this.redis.multi().set(`${this.prefix}e:${key}`, value, 'EX', ttlSeconds);
    for (const tag of tags) {
      multi.sadd(`${this.prefix}t:${tag}`, key).expire(`${this.prefix}t:${tag}`, ttlSeconds);
    }
    await multi.exec();
  }

  async dropTagged(tags: readonly string[]) {
    let dropped = 0;
    for (const tag of tags) {
      const tagKey = `${this.prefix}t:${tag}`;
      const keys = await this.redis.smembers(tagKey);
      if (keys.length > 0) dropped += await this.redis.del(...keys.map((k) => `${this.prefix}e:${k}`));
      await this.redis.del(tagKey);
    }
    return dropped;
  }
}

/**
 * Redis, with this process' store standing in while Redis is down or failing: queries keep their
 * cache (per replica) instead of failing. Invalidations go to both, so that what was cached locally
 * during an outage is dropped too; Redis entries that missed an invalidation while it was away are
 * bounded by their TTL.
 */
class FallbackStore implements Store {
  private readonly local = new LocalStore();

  constructor(
    private readonly redis: Redis,
    private readonly shared: RedisStore,
    private readonly onFallback: OnFallback | undefined,
  ) {}

  private run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    return withFallback(this.redis, 'cache', this.onFallback, shared, local);
  }

  get(key: string) {
    return this.run(
      () => this.shared.get(key),
      () => this.local.get(key),
    );
  }

  set(key: string, value: string, tags: readonly string[], ttlSeconds: number) {
    return this.run(
      () => this.shared.set(key, value, tags, ttlSeconds),
      () => this.local.set(key, value, tags, ttlSeconds),
    );
  }

  async dropTagged(tags: readonly string[]) {
    const local = await this.local.dropTagged(tags);
    return (
      local +
      (await this.run(
        () => this.shared.dropTagged(tags),
        async () => 0,
      ))
    );
  }
}

export class ObjectCache {
  private readonly store: Store;
  private readonly ttlSeconds: number;
  private readonly onLookup: ObjectCacheOptions['onLookup'];
  hits = 0;
  misses = 0;

  constructor(options: ObjectCacheOptions) {
    this.ttlSeconds = options.ttlSeconds;
    this.onLookup = options.onLookup;
    this.store = options.redis
      ? new FallbackStore(
          options.redis,
          new RedisStore(options.redis, `${options.prefix ?? 'sgg:'}cache:`),
          options.onFallback,
        )
      : new LocalStore();
  }

  /**
   * The REST client seen through the cache, for one upstream session: the gateway's API key and the
   * session's customer scope. (The connected account and a passthrough caller's own key come with
   * each request.)
   */
  wrap(rest: RestClient, session: { secretKey: string; scope?: string }): RestClient {
    const sessionId = createHash('sha256')
      .update(`${session.secretKey}\u0000${session.scope ?? ''}`)
      .digest('hex')
      .slice(0, 24);
    return {
      request: <T>(request: RestRequest) => this.request<T>(rest, sessionId, request),
      list: <T>(request: ListRequest) => rest.list<T>(request),
      close: () => rest.close(),
    };
  }

  /** Drops every cached answer holding an object the event is about. */
  async invalidate(event: StripeEvent): Promise<number> {
    return this.store.dropTagged([...objectIds(event.data.object)]);
  }

  private async request<T>(rest: RestClient, sessionId: string, request: RestRequest): Promise<T> {
    if (request.method !== 'GET' || !endsWithParam(request.path)) {
      return rest.request<T>(request);
    }
    // A call with its own key (passthrough auth) is that key's session, never the gateway's.
    const who =
      request.apiKey === undefined
        ? sessionId
        : createHash('sha256').update(`${sessionId}\u0000${request.apiKey}`).digest('hex').slice(0, 24);
    const key = `${who}:${request.stripeAccount ?? '-'}:${JSON.stringify([
      request.path,
      request.pathParams ?? {},
      request.params ?? {},
      request.expand ?? [],
    ])}`;
    const cached = await this.store.get(key);
    if (cached !== undefined) {
      this.hits++;
      this.onLookup?.('hit');
      return JSON.parse(cached) as T;
    }
    this.misses++;
    this.onLookup?.('miss');
    const result = await rest.request<T>(request);
    await this.store.set(key, JSON.stringify(result), [...objectIds(result)], this.ttlSeconds);
    return result;
  }
}
