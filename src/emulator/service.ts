/**
 * The emulator without a socket: `handle()` takes a request (method, URL, headers, body) and returns
 * Stripe's answer. The pipeline is the API's: faults → route → auth → version → account scope →
 * decode → validate → expand check → idempotency → execute in a transaction → render.
 * `server.ts` puts it behind node:http; `fetch()` serves Web `Request`s in-process.
 */
import { type Api, loadApi } from './engine/api.ts';
import { Ctx, type UploadedFile } from './engine/context.ts';
import { ErrorReply, invalidRequest } from './engine/errors.ts';
import { flushEvents, recordEvents } from './engine/events.ts';
import { fileDownload } from './engine/file-contents.ts';
import type { CallOptions, EmulatorHandle, EventListener } from './engine/handle.ts';
import { newRequestId } from './engine/ids.ts';
import type { JsonObject } from './engine/json.ts';
import { Random } from './engine/random.ts';
import type { Result } from './engine/result.ts';
import type { Match } from './engine/router.ts';
import { PLATFORM_ACCOUNT_KEY, Store } from './engine/store.ts';
import { type ExpandTree, parseExpand } from './handlers/expand.ts';
import { Handlers } from './handlers/handlers.ts';
import { Renderer } from './handlers/render.ts';
import { refusedVersion } from './handlers/version.ts';
import { authenticate, maskKey } from './request/auth.ts';
import { decodeForm, decodeMultipart, FormError, type FormHash, toFormValues } from './request/form.ts';
import { fingerprintOf, IdempotencyCache } from './request/idempotency.ts';
import { checkInput } from './request/input-rules.ts';
import { validateParams } from './request/validate.ts';
import { RULES } from './rules/index.ts';
import { passTime } from './rules/time.ts';
import { seed } from './seed/seed.ts';
import { type Faults, faultsFromEnv, latencyOf, outcomeOf } from './transport/faults.ts';
import { FORWARDING_PATH, prefetchForward, takeForward } from './transport/forwarding.ts';
import { type EmulatorResponse, Reply } from './transport/reply.ts';
import { type EmulatorStats, StatsCounter } from './transport/stats.ts';

export type { EmulatorResponse } from './transport/reply.ts';

export interface EmulatorRequest {
  method: string;
  /** path and query string, e.g. `/v1/customers?limit=3` */
  url: string;
  /** header names in lower case */
  headers: Readonly<Record<string, string | undefined>>;
  body?: Buffer | string;
}

/** Serves a Web `Request` with `handle`, without a socket (a dropped connection is a network error). */
export async function fetchThrough(
  handle: (request: EmulatorRequest) => Promise<EmulatorResponse>,
  request: Request,
): Promise<Response> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const body =
    request.method === 'GET' || request.method === 'HEAD'
      ? undefined
      : Buffer.from(await request.arrayBuffer());
  const response = await handle({
    method: request.method,
    url: url.pathname + url.search,
    headers,
    ...(body ? { body } : {}),
  });
  if (response.drop) throw new TypeError('fetch failed: connection dropped by the emulator');
  return new Response(typeof response.body === 'string' ? response.body : new Uint8Array(response.body), {
    status: response.status,
    headers: response.headers,
  });
}

export interface EmulatorOptions {
  /** load the demo dataset (default true) */
  seed?: boolean;
  /** fault injection; defaults to the EMULATOR_* environment variables */
  faults?: Faults;
  /** accept only these keys (default: any `sk_test_…`/`rk_test_…` key) */
  apiKeys?: readonly string[];
  /** seed for run-time ids (default random); the demo dataset is deterministic regardless */
  randomSeed?: number;
  /**
   * the clock, in Unix seconds (default the system clock): the demo data is played up to it at boot,
   * and time passes by it between requests for the objects on no test clock
   */
  clock?: () => number;
  /** the HTTP server's URL, known before the demo data is loaded so its links point there */
  publicUrl?: string;
}

export const DEFAULT_KEY = 'sk_test_emulator';
/** A page of a list or a search as Stripe sends it (`object: 'list'` or `'search_result'`). */
const page = (
  object: string,
  data: JsonObject[],
  result: { hasMore: boolean; url: string },
  more: JsonObject = {},
): JsonObject => ({ object, data, has_more: result.hasMore, ...more, url: result.url });

const RATE_LIMITED = {
  error: {
    type: 'invalid_request_error',
    code: 'rate_limit',
    message:
      'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
  },
} as const;

/** A decoded request: what `serve()` works from. */
interface Incoming {
  method: string;
  path: string;
  query: string;
  match: Match | undefined;
  request: EmulatorRequest;
  requestId: string;
  idempotencyKey: string | undefined;
}

export class EmulatorService implements EmulatorHandle {
  readonly api: Api;
  readonly store: Store;
  readonly defaultKey = DEFAULT_KEY;
  private readonly handlers: Handlers;
  private readonly renderer: Renderer;
  private readonly idempotency = new IdempotencyCache();
  private readonly counter = new StatsCounter();
  private random: Random;
  private readonly faultRandom: Random;
  private readonly allowedKeys: ReadonlySet<string> | undefined;
  private readonly clock: () => number;
  private readonly seeded: boolean;
  /** the HTTP server's URL once it listens (hosted pages' links point there) */
  publicUrl: string | undefined;
  private currentFaults: Faults;
  private readonly eventListeners = new Set<EventListener>();
  /** the demo data's webhook endpoints (a reset drops the others' objects, not them) */
  private readonly seededEndpoints: ReadonlySet<string>;
  /** the time played up to for the objects on no test clock (`catchUp`) */
  private caughtUp = 0;

  constructor(options: EmulatorOptions = {}) {
    this.api = loadApi();
    const registry = this.api.registry;
    this.store = new Store((resource) => registry.linkProps(resource));
    this.handlers = new Handlers(this.api, RULES);
    this.renderer = new Renderer(this.api, RULES);
    this.random = new Random(options.randomSeed);
    this.faultRandom = new Random(options.randomSeed);
    this.allowedKeys = options.apiKeys ? new Set(options.apiKeys) : undefined;
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.currentFaults = options.faults ?? faultsFromEnv(process.env);
    this.seeded = options.seed ?? true;
    this.publicUrl = options.publicUrl;
    this.load();
    this.seededEndpoints = new Set([...this.store.platform.all('webhook_endpoint')].map((entry) => entry.id));
  }

  /**
   * Clears all state (objects, idempotency keys) and loads the demo dataset again. The webhook
   * endpoints added since the start are kept, with their ids and secrets: they are the running
   * processes' set-up rather than data (`npm start`'s gateway is one, and its live events would
   * otherwise stop at the first reset). They come back after the seed, so its events are not sent.
   */
  reset(): void {
    const platform = this.store.platform;
    const kept = [...platform.all('webhook_endpoint')].filter((entry) => !this.seededEndpoints.has(entry.id));
    this.store.clear();
    this.idempotency.clear();
    this.load();
    for (const entry of kept) platform.put({ ...entry, seq: platform.nextSeq() });
  }

  /** Loads the demo data (played up to now), or none: time is played from now on. */
  private load(): void {
    const now = this.clock();
    if (this.seeded) seed(this, now);
    this.caughtUp = now;
  }

  /**
   * Plays the time from the last request to `to` for the objects on no test clock (rules/time.ts),
   * in every account's scope, as Stripe's time passes between requests. Done before a request is
   * served rather than on a timer: a request sees what happened by its time and nothing else, so
   * an emulator on an injected clock is as deterministic as one whose time stands still; at most
   * once a second (the clock's unit), a scan of the customers and payouts.
   */
  catchUp(to: number): void {
    const from = this.caughtUp;
    if (!(to > from)) return;
    this.caughtUp = to;
    // The time is not the request's business: an account whose play fails is left for a warning
    // (its writes rolled back), the other accounts' time passes, and the request is served.
    for (const account of [undefined, ...this.store.accounts()]) {
      try {
        this.playFor(account, from, to);
      } catch (error) {
        process.emitWarning(
          `the emulator could not play the time that passed${account ? ` for ${account}` : ''}: ${String(error)}`,
        );
      }
    }
  }

  /** Plays the time up to the clock's now (before a request, and on a listening emulator's timer). */
  catchUpNow(): void {
    this.catchUp(this.clock());
  }

  /** Plays the time from `from` to `to` for the objects on no test clock, in every scope. */
  passTime(from: number, to: number): void {
    for (const account of [undefined, ...this.store.accounts()]) this.playFor(account, from, to);
  }

  /** Plays the time from `from` to `to` in one account's scope (the platform's: undefined), in a transaction. */
  private playFor(account: string | undefined, from: number, to: number): void {
    this.transaction((ctx) => passTime(ctx, to), { ...(account ? { account } : {}), now: from });
  }

  stats(): EmulatorStats {
    return this.counter.snapshot();
  }

  resetStats(): void {
    this.counter.reset();
  }

  setFaults(faults: Faults): void {
    this.currentFaults = { ...faults };
  }

  faults(): Faults {
    return { ...this.currentFaults };
  }

  /** Listens for committed events; returns the unsubscribe function. */
  onEvents(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private committed(ctx: Ctx): void {
    flushEvents(ctx);
    ctx.store.commit();
    if (ctx.events.length === 0) return;
    for (const listener of this.eventListeners) listener(ctx.events);
  }

  /** A Web-standard handler: `emulator.fetch(new Request('http://x/v1/customers', …))`. */
  fetch(request: Request): Promise<Response> {
    return fetchThrough((decoded) => this.handle(decoded), request);
  }

  async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
    const question = request.url.indexOf('?');
    const method = request.method.toUpperCase();
    const path = question === -1 ? request.url : request.url.slice(0, question);
    const match = this.api.router.match(method, path);
    this.counter.request(`${method} ${match ? match.route.op.path : '(unmatched)'}`);
    const requestId = newRequestId(this.random);
    const idempotencyKey = method === 'POST' ? request.headers['idempotency-key'] : undefined;
    const version = request.headers['stripe-version'] ?? this.api.apiVersion;
    const reply = new Reply(this.counter, requestId, version, idempotencyKey);

    const faults = this.currentFaults;
    const delay = latencyOf(faults, this.faultRandom);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    switch (outcomeOf(faults, this.faultRandom)) {
      case 'drop':
        return reply.drop();
      case '429':
        reply.headers['stripe-should-retry'] = 'true';
        return reply.json(429, RATE_LIMITED);
      case '500':
        return reply.json(500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
      default:
    }
    // A forwarding request's outbound call is asynchronous: made before the transaction, once
    // per idempotency key (a replay answers the saved response and sends nothing).
    const forwarding = method === 'POST' && match?.route.op.path === FORWARDING_PATH;
    const account = request.headers['stripe-account'];
    if (forwarding && !(idempotencyKey && this.idempotency.has(account, idempotencyKey)))
      await prefetchForward(this.store, request.headers, request.body, requestId, this.allowedKeys);
    try {
      const query = question === -1 ? '' : request.url.slice(question + 1);
      this.catchUpNow();
      return this.serve({ method, path, query, match, request, requestId, idempotencyKey }, version, reply);
    } catch (error) {
      return reply.error(error);
    } finally {
      // An outcome the request did not use (it failed first) is dropped.
      if (forwarding) takeForward(requestId);
    }
  }

  /** Auth, version, account, parameters, idempotency, then the operation itself. */
  private serve(incoming: Incoming, version: string, reply: Reply): EmulatorResponse {
    const { method, path, match, request, idempotencyKey } = incoming;
    const key = authenticate(request.headers.authorization, this.allowedKeys);
    if (key instanceof ErrorReply) throw key;
    const download = method === 'GET' && !match ? fileDownload(this.store, path) : undefined;
    if (download) return reply.binary(download.type, download.body);
    if (!match) {
      throw invalidRequest(
        `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        {},
        404,
      );
    }
    const refused = refusedVersion(version, this.api.apiVersion);
    if (refused) throw invalidRequest(refused.message, refused.code ? { code: refused.code } : {});
    const scoped = this.scopeOf(request.headers['stripe-account'], key);
    // A connected account reads and writes its own account object and what hangs under it
    // (capabilities, persons, external accounts) where the platform keeps them.
    const account = scoped !== undefined && path.startsWith(`/v1/accounts/${scoped}`) ? undefined : scoped;
    const { input, files } = this.decode(incoming);
    if (match.route.op.produces) return this.binary(match, account, reply);

    const ctx = this.context(account, files);
    ctx.request = idempotencyKey ? { id: incoming.requestId, idempotencyKey } : { id: incoming.requestId };
    const { params, tree } = this.prepare(match, input);
    const fingerprint = idempotencyKey ? fingerprintOf(method, path, input) : undefined;
    if (idempotencyKey && fingerprint) {
      const saved = this.idempotency.lookup(account, idempotencyKey, fingerprint);
      if (saved) {
        reply.headers['idempotent-replayed'] = 'true';
        return reply.json(saved.status, saved.body);
      }
    }
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(this.run(ctx, match, params, tree, path));
    } catch (error) {
      if (!(error instanceof ErrorReply)) throw error;
      status = error.status;
      body = JSON.stringify(error.body());
    }
    // Kept once the operation ran, errors included (Stripe's rule), so a retry replays it.
    if (idempotencyKey && fingerprint)
      this.idempotency.save(account, idempotencyKey, { fingerprint, status, body });
    return reply.json(status, body);
  }

  /** The connected account a `Stripe-Account` header scopes the request to (undefined: the platform). */
  private scopeOf(header: string | undefined, key: string): string | undefined {
    if (header === undefined) return undefined;
    const platform = this.platformAccountId();
    if (header === platform) return undefined;
    if (this.store.platform.find(header)?.resource !== 'account') {
      throw new ErrorReply(
        403,
        'invalid_request_error',
        `The provided key '${maskKey(key)}' does not have access to account '${header}' (or that account does not exist). Application access may have been revoked.`,
        { code: 'account_invalid' },
      );
    }
    return header;
  }

  /** Parameters from the query string and, except on GET, the form or multipart body. */
  private decode(incoming: Incoming): { input: FormHash; files: Record<string, UploadedFile> } {
    const { request } = incoming;
    try {
      let input = decodeForm(incoming.query);
      let files: Record<string, UploadedFile> = {};
      if (incoming.method !== 'GET' && request.body !== undefined && request.body.length > 0) {
        const contentType = request.headers['content-type'] ?? '';
        if (/^multipart\/form-data/i.test(contentType)) {
          const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
          const multipart = decodeMultipart(body, contentType);
          input = { ...input, ...multipart.fields };
          files = multipart.files;
        } else {
          const text = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
          if (text.includes('\uFFFD')) throw new FormError('Invalid request body: not UTF-8');
          input = { ...input, ...decodeForm(text) };
        }
      }
      return { input, files };
    } catch (error) {
      throw error instanceof FormError ? invalidRequest(error.message) : error;
    }
  }

  /**
   * Runs an operation in-process with typed parameters (encoded and validated as a request would
   * be), returning the response body; a Stripe error is thrown as `ErrorReply`.
   */
  call(method: string, path: string, params: JsonObject = {}, options: CallOptions = {}): JsonObject {
    const match = this.api.router.match(method.toUpperCase(), path);
    if (!match) throw invalidRequest(`Unrecognized request URL (${method}: ${path}).`, {}, 404);
    const input = toFormValues(params) as FormHash;
    if (options.expand) input.expand = toFormValues([...options.expand]);
    const ctx = this.context(options.account, {}, options.now);
    if (options.ids)
      ctx.presetIds = new Map(Object.entries(options.ids).map(([r, ids]) => [r, [ids].flat()]));
    const prepared = this.prepare(match, input);
    return this.run(ctx, match, prepared.params, prepared.tree, path);
  }

  /** Runs `fn` with ids drawn from `random` (the seed's deterministic ids). */
  withRandom<T>(random: Random, fn: () => T): T {
    const saved = this.random;
    this.random = random;
    try {
      return fn();
    } finally {
      this.random = saved;
    }
  }

  /**
   * Runs `fn` with a request context in a transaction (rolled back if it throws): direct access to
   * the store for the seed and for tests that need objects no endpoint creates.
   */
  transaction<T>(fn: (ctx: Ctx) => T, options: { account?: string; now?: number } = {}): T {
    const ctx = this.context(options.account, {}, options.now);
    this.store.begin(ctx.scope, recordEvents(ctx));
    try {
      const result = fn(ctx);
      // Its events go to webhooks like a request's (a hosted page's payment, a verification).
      this.committed(ctx);
      return result;
    } catch (error) {
      // As a request: a declined payment is kept (src/emulator/engine/errors.ts).
      if (error instanceof ErrorReply && error.keepChanges) this.committed(ctx);
      else this.store.rollback();
      throw error;
    }
  }

  private context(account: string | undefined, files: Record<string, UploadedFile>, now?: number): Ctx {
    const ctx = new Ctx(
      this.api.registry,
      this.store,
      this.store.scope(account),
      now ?? this.clock(),
      this.random,
      this.api.apiVersion,
      files,
    );
    ctx.ops = this.handlers.writes;
    ctx.publicUrl = this.publicUrl;
    return ctx;
  }

  private prepare(match: Match, input: FormHash): { params: JsonObject; tree: ExpandTree } {
    const op = match.route.op;
    // DELETE parameters are declared as a form body but sent in the query string (as the SDKs do).
    const declared =
      op.method === 'post' ? op.body : op.method === 'delete' ? [...op.query, ...op.body] : op.query;
    const validated = validateParams(input, declared, op.expand);
    const params = checkInput(op, validated.params);
    const expand = validated.expand;
    const registry = this.api.registry;
    const tree = parseExpand(
      registry,
      expand,
      op.response,
      op.paged,
      op.paged === 'search' ? ['total_count'] : [],
    );
    return { params, tree };
  }

  /** Executes in a transaction: any error rolls the request's changes back, in every scope. */
  private run(ctx: Ctx, match: Match, params: JsonObject, tree: ExpandTree, path: string): JsonObject {
    this.store.begin(ctx.scope, recordEvents(ctx));
    let result: Result;
    try {
      result = this.handlers.execute(ctx, match, params, path);
      this.committed(ctx);
    } catch (error) {
      if (error instanceof ErrorReply && error.keepChanges) this.committed(ctx);
      else this.store.rollback();
      throw error;
    }
    return this.render(ctx, result, tree);
  }

  private render(ctx: Ctx, result: Result, tree: ExpandTree): JsonObject {
    switch (result.kind) {
      case 'entry':
        return this.renderer.entry(ctx, ctx.current(result.entry), tree);
      case 'object':
        return this.renderer.object(ctx, result.data, result.schema, tree);
      case 'raw':
        return result.body;
      case 'list':
        return page(
          'list',
          result.entries.map((entry) => this.renderer.entry(ctx, entry, tree)),
          result,
        );
      case 'items':
        return page(
          'list',
          result.items.map((item) => this.renderer.object(ctx, item, result.schema, tree)),
          result,
        );
      case 'search':
        return page(
          'search_result',
          result.entries.map((entry) => this.renderer.entry(ctx, entry, tree)),
          result,
          { next_page: result.nextPage, total_count: result.total },
        );
    }
  }

  /** Binary downloads (`/v1/quotes/{quote}/pdf`): a placeholder document once the parents exist. */
  private binary(match: Match, account: string | undefined, reply: Reply): EmulatorResponse {
    const ctx = this.context(account, {});
    for (const parent of match.route.parents) {
      const id = match.values[parent.index]!;
      if (parent.resources.length > 0) ctx.require(id, parent.resources);
    }
    return reply.binary(
      match.route.op.produces!,
      '%PDF-1.4\n% Stripe emulator placeholder document\n%%EOF\n',
    );
  }

  /** The platform's own account id (the seeded `/v1/account`). */
  platformAccountId(): string | undefined {
    const account = this.store.platform.get(PLATFORM_ACCOUNT_KEY);
    return account?.id;
  }
}
