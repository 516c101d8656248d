/**
 * Token revocation (AUTH_MODE=jwt): a deny-list, as a production gateway in front of short-lived
 * JWTs keeps one. A JWT stays valid until its `exp` by construction; when a user signs out, a key
 * leaks or a customer's access is withdrawn, the tokens already handed out must stop working before
 * then, on every replica, and so must the SSE and WebSocket streams they opened.
 *
 * Two kinds of entry, each kept until the tokens it denies have expired anyway:
 * - by token id: `{ jti }` denies the one token with that `jti` claim;
 * - by subject: `{ subject, before }` denies every token of that `sub` issued (`iat`) at or before
 *   `before` (epoch seconds): "sign this user out everywhere"; tokens issued later pass.
 *
 * A denied token is refused at authentication (401 UNAUTHENTICATED, "the token has been revoked"),
 * and every open stream it opened ends at once with one `UNAUTHENTICATED` result (`extensions.reason:
 * "revoked"`), then completes (src/server/streams.ts).
 *
 * Where the list lives: with `REDIS_URL`, in Redis, so every replica shares it: each entry is a key
 * `<prefix>revoked:jti:<jti>` or `<prefix>revoked:sub:<sub>` (value: `before`) expiring with the
 * tokens it denies, announced on the channel `<prefix>auth:revocations` (`{"jti":…}` or
 * `{"subject":…,"before":…}`) so that replicas end streams within a round trip. Each replica keeps a
 * local copy (authentication reads it without a Redis round trip), loaded at start, kept current by
 * the channel and reloaded every `refreshMs` and after every reconnection (entries announced while
 * a replica was cut off are not lost). Any tool may revoke by writing the key and publishing (see
 * the README); `revoke()` does both. Without Redis, the list is this process's.
 */
import type { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/** What a stream or a request knows of its credential. */
export interface Credential {
  /** the token's `jti` */
  readonly tokenId?: string;
  /** the token's `sub` */
  readonly subject?: string;
  /** the token's `iat` (epoch seconds) */
  readonly issuedAt?: number;
}

export type Revocation =
  | { readonly jti: string; readonly before?: undefined; readonly subject?: undefined }
  | { readonly subject: string; readonly before: number; readonly jti?: undefined };

/** How long an entry is kept when its caller does not say (the longest a token should live). */
export const DEFAULT_REVOCATION_TTL_S = 24 * 60 * 60;
/** How often a replica reloads the shared list. */
export const DEFAULT_REVOCATION_REFRESH_MS = 30_000;

export interface Revocations {
  /** Whether a credential is denied now. */
  isRevoked(credential: Credential): boolean;
  /**
   * Denies a token (by `jti`) or a subject's tokens issued at or before `before`, on every replica;
   * `ttlSeconds`: how long to keep the entry (the longest remaining life of what it denies).
   */
  revoke(revocation: Revocation, ttlSeconds?: number): Promise<void>;
  /** Calls `end` once if `credential` is revoked while watched; returns the unwatch. */
  watch(credential: Credential, end: () => void): () => void;
  /** Reloads the shared list now (Redis only). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const revokedKey = (prefix: string, revocation: Revocation) =>
  revocation.jti !== undefined
    ? `${prefix}revoked:jti:${revocation.jti}`
    : `${prefix}revoked:sub:${revocation.subject}`;

/** The in-process list and its watchers. */
class LocalList {
  /** jti → until (epoch ms) */
  readonly #tokens = new Map<string, number>();
  /** sub → { before (epoch s), until (epoch ms) } */
  readonly #subjects = new Map<string, { before: number; until: number }>();
  readonly #byToken = new Map<string, Set<() => void>>();
  readonly #bySubject = new Map<string, Set<{ issuedAt: number | undefined; end: () => void }>>();

  isRevoked(credential: Credential): boolean {
    const now = Date.now();
    if (credential.tokenId !== undefined) {
      const until = this.#tokens.get(credential.tokenId);
      if (until !== undefined && until > now) return true;
    }
    if (credential.subject !== undefined) {
      const entry = this.#subjects.get(credential.subject);
      if (entry !== undefined && entry.until > now && deniedBy(credential.issuedAt, entry.before))
        return true;
    }
    return false;
  }

  /** Records an entry and ends the streams it denies. */
  apply(revocation: Revocation, until: number): void {
    if (revocation.jti !== undefined) {
      this.#tokens.set(revocation.jti, Math.max(until, this.#tokens.get(revocation.jti) ?? 0));
      const watchers = this.#byToken.get(revocation.jti);
      this.#byToken.delete(revocation.jti);
      for (const end of watchers ?? []) end();
      return;
    }
    const known = this.#subjects.get(revocation.subject);
    this.#subjects.set(revocation.subject, {
      before: Math.max(revocation.before, known?.before ?? 0),
      until: Math.max(until, known?.until ?? 0),
    });
    const watchers = this.#bySubject.get(revocation.subject);
    for (const watcher of [...(watchers ?? [])]) {
      if (!deniedBy(watcher.issuedAt, revocation.before)) continue;
      watchers!.delete(watcher);
      watcher.end();
    }
  }

  watch(credential: Credential, end: () => void): () => void {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      unwatch();
      end();
    };
    const { tokenId, subject } = credential;
    const subjectWatcher = { issuedAt: credential.issuedAt, end: once };
    if (tokenId !== undefined) setOf(this.#byToken, tokenId).add(once);
    if (subject !== undefined) setOf(this.#bySubject, subject).add(subjectWatcher);
    const unwatch = () => {
      if (tokenId !== undefined) deleteFrom(this.#byToken, tokenId, once);
      if (subject !== undefined) deleteFrom(this.#bySubject, subject, subjectWatcher);
    };
    return () => {
      done = true;
      unwatch();
    };
  }

  /** Forgets expired entries. */
  prune(): void {
    const now = Date.now();
    for (const [jti, until] of this.#tokens) if (until <= now) this.#tokens.delete(jti);
    for (const [sub, entry] of this.#subjects) if (entry.until <= now) this.#subjects.delete(sub);
  }
}

/** A token without `iat` cannot show it was issued after the cut-off: denied. */
const deniedBy = (issuedAt: number | undefined, before: number) =>
  issuedAt === undefined || issuedAt <= before;

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** A revocation from the channel or a key, or undefined when it is not one. */
function parseRevocation(value: unknown): Revocation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { jti, subject, before } = value as Record<string, unknown>;
  if (typeof jti === 'string' && jti !== '') return { jti };
  if (
    typeof subject === 'string' &&
    subject !== '' &&
    typeof before === 'number' &&
    Number.isFinite(before)
  ) {
    return { subject, before };
  }
  return undefined;
}

export interface RevocationOptions {
  /** the shared command connection (REDIS_URL); undefined keeps the list in this process */
  redis?: Redis | undefined;
  /** key and channel prefix (`sgg:`) */
  prefix?: string;
  refreshMs?: number;
  logger?: Logger;
}

export function createRevocations(options: RevocationOptions = {}): Revocations {
  const list = new LocalList();
  const prefix = options.prefix ?? 'sgg:';
  const redis = options.redis;
  const local = (revocation: Revocation, ttlSeconds: number) =>
    list.apply(revocation, Date.now() + ttlSeconds * 1000);
  const pruning = setInterval(() => list.prune(), 60_000);
  pruning.unref();
  if (redis === undefined) {
    return {
      isRevoked: (credential) => list.isRevoked(credential),
      watch: (credential, end) => list.watch(credential, end),
      async revoke(revocation, ttlSeconds = DEFAULT_REVOCATION_TTL_S) {
        local(revocation, ttlSeconds);
      },
      refresh: async () => {},
      async close() {
        clearInterval(pruning);
      },
    };
  }

  const channel = `${prefix}auth:revocations`;
  const pattern = `${prefix}revoked:*`;
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let revocation: Revocation | undefined;
    try {
      revocation = parseRevocation(JSON.parse(message));
    } catch {
      revocation = undefined;
    }
    // The key holds the entry's lifetime; the message only says "now".
    if (revocation) local(revocation, DEFAULT_REVOCATION_TTL_S);
  });

  /** Loads every entry of the shared list (SCAN, then their values and lifetimes). */
  const refresh = async () => {
    if (redis.status !== 'ready') return;
    const keyPrefix = `${prefix}revoked:`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.get(key).pttl(key);
      const replies = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        const value = replies[2 * i]?.[1];
        const ttl = Number(replies[2 * i + 1]?.[1]);
        if (typeof value !== 'string' || !(ttl > 0)) return;
        const rest = key.slice(keyPrefix.length);
        const revocation: Revocation | undefined = rest.startsWith('jti:')
          ? { jti: rest.slice(4) }
          : rest.startsWith('sub:') && Number.isFinite(Number(value))
            ? { subject: rest.slice(4), before: Number(value) }
            : undefined;
        if (revocation) list.apply(revocation, Date.now() + ttl);
      });
    } while (cursor !== '0');
  };
  const reload = () =>
    void refresh().catch((error: unknown) =>
      options.logger?.warn('revocation list: reload failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  // After every (re)connection: subscribe, then reload what was announced meanwhile.
  subscriber.on('ready', () => {
    void subscriber.subscribe(channel).then(reload, () => {});
  });
  const refreshing = setInterval(reload, options.refreshMs ?? DEFAULT_REVOCATION_REFRESH_MS);
  refreshing.unref();

  return {
    isRevoked: (credential) => list.isRevoked(credential),
    watch: (credential, end) => list.watch(credential, end),
    async revoke(revocation, ttlSeconds = DEFAULT_REVOCATION_TTL_S) {
      local(revocation, ttlSeconds);
      const value = revocation.jti !== undefined ? '1' : String(revocation.before);
      await redis.set(revokedKey(prefix, revocation), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
      await redis.publish(channel, JSON.stringify(revocation));
    },
    refresh,
    async close() {
      clearInterval(pruning);
      clearInterval(refreshing);
      subscriber.disconnect();
    },
  };
}
