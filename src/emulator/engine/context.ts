/**
 * What a handler or a business rule works with during one request: the account's scope, the clock,
 * id generation, lookups that throw Stripe's errors, writes, and the builders.
 */
import { noSuch } from './errors.ts';
import { newId } from './ids.ts';
import { type Json, type JsonObject, orderKeys } from './json.ts';
import { applyParams, type BuildEnv, buildResource, buildSubObject } from './objects.ts';
import type { Random } from './random.ts';
import type { ResourceRegistry } from './registry.ts';
import type { Entry, Scope, Store } from './store.ts';

export interface InsertOptions {
  /** the object it was created under, when its data has no prop naming it */
  parent?: string;
  /** store under `<parent>/<id>` (ids unique only under their parent, such as capabilities) */
  scopedToParent?: boolean;
  singleton?: string;
}

/** Human names for messages where the resource name is not what Stripe says. */
const LABELS: Readonly<Record<string, string>> = {
  external_account: 'external account',
  payment_method: 'PaymentMethod',
  payment_source: 'source',
  'test_helpers.test_clock': 'test_clock',
};

/** The generic handlers, for rules that create or change other objects the generic way. */
export interface Operations {
  createResource(ctx: Ctx, resource: string, params: JsonObject, parent?: Entry): Entry;
  updateEntry(ctx: Ctx, entry: Entry, params: JsonObject): Entry;
  deleteEntry(ctx: Ctx, entry: Entry): JsonObject;
  /** Runs the rule book's action `verb` on `entry` with no route (a hosted page completing its flow). */
  runAction(ctx: Ctx, entry: Entry, verb: string, params: JsonObject): Entry;
}

/** A file part of a multipart request, as the request's context holds it. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  size: number;
}

/** Ids to give the next objects created of these resources, in order (the seed's fixed ids). */
export type PresetIds = Readonly<Record<string, string | readonly string[]>>;

/** The request a context serves, for events (`request.id`, `request.idempotency_key`). */
export interface RequestInfo {
  id: string;
  idempotencyKey?: string;
}

export class Ctx implements BuildEnv {
  readonly registry: ResourceRegistry;
  readonly store: Store;
  readonly scope: Scope;
  /** the request's time; `at` moves it while a test clock's simulated time is played */
  now: number;
  readonly random: Random;
  readonly files: Readonly<Record<string, UploadedFile>>;
  readonly apiVersion: string;
  request: RequestInfo | undefined;
  /** events recorded by this request, delivered to webhooks once it commits */
  readonly events: JsonObject[] = [];
  presetIds: Map<string, string[]> | undefined;
  /** set by the service: the generic create/update/delete */
  ops!: Operations;
  /** where the emulator's HTTP server answers, for the hosted pages' URLs; unset in-process */
  publicUrl: string | undefined;

  constructor(
    registry: ResourceRegistry,
    store: Store,
    scope: Scope,
    now: number,
    random: Random,
    apiVersion: string,
    files: Readonly<Record<string, UploadedFile>> = {},
  ) {
    this.registry = registry;
    this.store = store;
    this.scope = scope;
    this.now = now;
    this.random = random;
    this.apiVersion = apiVersion;
    this.files = files;
  }

  /**
   * This request's reader of another account's scope: what an object of this scope names there
   * (a transfer's payment on its destination) read as that account reads it, at the same time.
   */
  within(scope: Scope): Ctx {
    if (scope === this.scope) return this;
    const ctx = new Ctx(this.registry, this.store, scope, this.now, this.random, this.apiVersion, this.files);
    ctx.ops = this.ops;
    ctx.publicUrl = this.publicUrl;
    ctx.request = this.request;
    return ctx;
  }

  /**
   * Runs `run` at `time` (a test clock's simulated time): the objects it makes, the timestamps it
   * sets and the events it records are dated then.
   */
  at<T>(time: number, run: () => T): T {
    const now = this.now;
    this.now = time;
    try {
      return run();
    } finally {
      this.now = now;
    }
  }

  label(resource: string): string {
    return LABELS[resource] ?? this.registry.resource(resource)?.object ?? resource;
  }

  newId(resource: string): string {
    const preset = this.presetIds?.get(resource)?.shift();
    if (preset !== undefined) return preset;
    return newId(resource, this.random);
  }

  /** A live object of one of `resources` (any resource when empty). */
  find(id: string, resources: readonly string[] = [], parent?: string): Entry | undefined {
    let entry = this.scope.find(id, parent);
    // Connected accounts are platform objects, visible from their own scope too, and so are their
    // external accounts (a payout's `destination`).
    if (!entry && this.scope !== this.store.platform) {
      if (resources.includes('account')) entry = this.store.platform.find(id, parent);
      else if (resources.includes('bank_account') || resources.includes('card')) {
        const held = this.store.platform.find(id, parent);
        if (held && held.data.account !== undefined && held.data.account === this.scope.account) entry = held;
      }
    }
    if (!entry) return undefined;
    return resources.length === 0 || resources.includes(entry.resource) ? entry : undefined;
  }

  /** Like `find`, but a missing object is Stripe's `No such <resource>: '<id>'` (404, or 400 for a body param). */
  require(id: string, resources: readonly string[], param = 'id', status = 404, parent?: string): Entry {
    const entry = this.find(id, resources, parent);
    if (entry) return entry;
    throw noSuch(this.label(resources[0] ?? 'object'), id, param, status);
  }

  /** A new object of `resource`, not yet stored: defaults plus `fields`. */
  build(resource: string, fields: JsonObject = {}, id?: string): JsonObject {
    const info = this.registry.resource(resource);
    return buildResource(this, resource, info?.hasId ? (id ?? this.newId(resource)) : undefined, fields);
  }

  /** A sub-object of schema `name` with `fields` and defaults for its other required props. */
  sub(name: string, fields: JsonObject = {}): JsonObject {
    return buildSubObject(this, name, fields);
  }

  apply(schema: string, draft: JsonObject, params: JsonObject, update: boolean): void {
    applyParams(this, schema, draft, params, update);
  }

  insert(resource: string, input: JsonObject, options: InsertOptions = {}): Entry {
    const data = orderKeys(input);
    const id = typeof data.id === 'string' ? data.id : (options.singleton ?? this.newId(resource));
    const key =
      options.singleton ?? (options.scopedToParent && options.parent ? `${options.parent}/${id}` : id);
    const entry: Entry = {
      key,
      id,
      resource,
      seq: this.scope.nextSeq(),
      data,
      ...(options.parent !== undefined ? { parent: options.parent } : {}),
      ...(options.singleton !== undefined ? { singleton: true } : {}),
    };
    return this.scope.put(entry);
  }

  /** Sets top-level fields of an object. */
  set(entry: Entry, fields: Record<string, Json>): Entry {
    const current = this.scope.get(entry.key) ?? entry;
    return this.scope.replace(current, { ...current.data, ...fields });
  }

  /** The current version of an entry (after other changes in this request). */
  current(entry: Entry): Entry {
    return this.scope.get(entry.key) ?? entry;
  }

  remove(entry: Entry, tombstone?: JsonObject): void {
    this.scope.remove(this.current(entry), tombstone);
  }

  /**
   * Children of `parent` among `resources`: objects whose parent prop holds its id, or created under
   * it. Newest first.
   */
  children(parent: Entry, resources: readonly string[]): Entry[] {
    const out: Entry[] = [];
    for (const entry of this.scope.referencing(parent.id)) {
      if (!resources.includes(entry.resource)) continue;
      if (entry.parent === parent.id) {
        out.push(entry);
        continue;
      }
      const prop = this.registry.parentProp(entry.resource, parent.resource);
      if (prop && entry.data[prop] === parent.id) out.push(entry);
    }
    return out.sort((a, b) => b.seq - a.seq);
  }
}
