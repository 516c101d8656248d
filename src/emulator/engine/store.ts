/**
 * In-memory state: one `Scope` per account (the platform and each connected account seen through
 * `Stripe-Account`). A scope keeps objects by key in insertion order per resource (lists are newest
 * first), an index from referenced ids to the objects that reference them (nested lists and filters
 * by parent avoid full scans), tombstones of deleted objects, and singletons (`/v1/balance`).
 *
 * Entries are immutable: a change replaces the entry. Each request runs in a transaction that
 * journals the first replacement of every key, so an error rolls the whole request back: in every
 * scope it wrote to (a destination charge writes the destination's payment, a direct charge the
 * platform's application fee), not only its own.
 */
import type { JsonObject } from './json.ts';

/** Where the platform's own account (`/v1/account`) is kept. */
export const PLATFORM_ACCOUNT_KEY = 'singleton:/v1/account:';

export interface Entry {
  /** unique in the scope: the id; `<parent>/<id>` for ids unique only under a parent; `singleton:…` */
  readonly key: string;
  readonly id: string;
  /** the resource (schema name) */
  readonly resource: string;
  /** insertion order across the whole store; lists sort on it */
  readonly seq: number;
  readonly data: JsonObject;
  /** the id of the object this one was created under (`/v1/invoices/{invoice}/lines`), when the data does not say */
  readonly parent?: string;
  /** a tombstone: what a retrieve of a deleted object returns where the API keeps them */
  readonly deleted?: boolean;
  /** addressed by path, not listed */
  readonly singleton?: boolean;
}

export const isEntry = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && 'key' in value && 'seq' in value && 'data' in value;

/** Told of every write in a transaction: before and after (undefined when absent). */
export type WriteObserver = (before: Entry | undefined, after: Entry | undefined) => void;

export type LinkProps = (resource: string) => readonly string[];

/** What a store's scopes share: the insertion order, and the scopes the open transaction wrote to. */
interface Shared {
  next: number;
  /** undefined outside a transaction */
  journaled: Set<Scope> | undefined;
}

export class Scope {
  /** the connected account id, undefined for the platform */
  readonly account: string | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly byResource = new Map<string, Map<string, Entry>>();
  private readonly referrers = new Map<string, Set<string>>();
  private journal: Map<string, Entry | undefined> | undefined;
  private observer: WriteObserver | undefined;
  private readonly linkProps: LinkProps;
  private readonly shared: Shared;

  constructor(account: string | undefined, linkProps: LinkProps, shared: Shared) {
    this.account = account;
    this.linkProps = linkProps;
    this.shared = shared;
  }

  nextSeq(): number {
    return this.shared.next++;
  }

  /** A live entry by key. */
  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && !entry.deleted ? entry : undefined;
  }

  /** A live entry by id, or by `<parent>/<id>` for ids scoped to a parent. */
  find(id: string, parent?: string): Entry | undefined {
    return this.get(id) ?? (parent !== undefined ? this.get(`${parent}/${id}`) : undefined);
  }

  /** Entries held, tombstones and singletons included (tests compare it before and after). */
  get size(): number {
    return this.entries.size;
  }

  tombstone(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    return entry?.deleted ? entry : undefined;
  }

  /** Inserts or replaces an entry (by key). */
  put(entry: Entry): Entry {
    this.set(entry.key, entry);
    return entry;
  }

  /** Replaces an entry's data, keeping its key, order and links. */
  replace(entry: Entry, data: JsonObject): Entry {
    return this.put({ ...entry, data });
  }

  /** Removes an entry; with `tombstone`, keeps that data for later retrieves. */
  remove(entry: Entry, tombstone?: JsonObject): void {
    if (tombstone)
      this.set(entry.key, {
        key: entry.key,
        id: entry.id,
        resource: entry.resource,
        seq: entry.seq,
        data: tombstone,
        deleted: true,
      });
    else this.set(entry.key, undefined);
  }

  /** Live entries of `resource`, oldest first (insertion order, which is `seq` order). */
  all(resource: string): IterableIterator<Entry> | [] {
    return this.byResource.get(resource)?.values() ?? [];
  }

  count(resource: string): number {
    return this.byResource.get(resource)?.size ?? 0;
  }

  /** Live entries that reference `id` through a link prop or were created under it. */
  referencing(id: string): Entry[] {
    const keys = this.referrers.get(id);
    if (!keys) return [];
    const out: Entry[] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && !entry.deleted) out.push(entry);
    }
    return out;
  }

  /** Starts journaling this scope's writes; `observer` is told of them (events.ts). */
  begin(observer?: WriteObserver): void {
    this.journal = new Map();
    this.observer = observer;
    this.shared.journaled?.add(this);
  }

  commit(): void {
    this.journal = undefined;
    this.observer = undefined;
  }

  rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    this.observer = undefined;
    if (!journal) return;
    for (const [key, before] of journal) this.set(key, before);
  }

  clear(): void {
    this.entries.clear();
    this.byResource.clear();
    this.referrers.clear();
    this.journal = undefined;
    this.observer = undefined;
  }

  private set(key: string, entry: Entry | undefined): void {
    const before = this.entries.get(key);
    // Another scope's write in the open transaction: journaled too, unobserved.
    if (!this.journal && this.shared.journaled) this.begin();
    if (this.journal && !this.journal.has(key)) this.journal.set(key, before);
    this.observer?.(before, entry);
    if (before && entry && this.listed(before) && this.listed(entry) && before.resource === entry.resource) {
      // A replacement keeps its place in the resource's insertion order (lists rely on it).
      this.entries.set(key, entry);
      this.byResource.get(entry.resource)?.set(key, entry);
      this.relink(before, entry);
      return;
    }
    if (before) this.unindex(before);
    if (entry) {
      this.entries.set(key, entry);
      this.index(entry);
    } else this.entries.delete(key);
  }

  private listed(entry: Entry): boolean {
    return !entry.deleted && !entry.singleton;
  }

  private index(entry: Entry): void {
    if (!this.listed(entry)) return;
    let map = this.byResource.get(entry.resource);
    if (!map) {
      map = new Map();
      this.byResource.set(entry.resource, map);
    }
    map.set(entry.key, entry);
    for (const target of this.links(entry)) this.link(target, entry.key);
  }

  private unindex(entry: Entry): void {
    if (!this.listed(entry)) return;
    this.byResource.get(entry.resource)?.delete(entry.key);
    for (const target of this.links(entry)) this.referrers.get(target)?.delete(entry.key);
  }

  private relink(before: Entry, after: Entry): void {
    const old = this.links(before);
    const now = this.links(after);
    for (const target of old) if (!now.includes(target)) this.referrers.get(target)?.delete(before.key);
    for (const target of now) if (!old.includes(target)) this.link(target, after.key);
  }

  private link(target: string, key: string): void {
    let keys = this.referrers.get(target);
    if (!keys) {
      keys = new Set();
      this.referrers.set(target, keys);
    }
    keys.add(key);
  }

  private links(entry: Entry): string[] {
    const out: string[] = [];
    if (entry.parent) out.push(entry.parent);
    for (const prop of this.linkProps(entry.resource)) {
      const value = entry.data[prop];
      if (typeof value === 'string' && value !== '') out.push(value);
    }
    return out;
  }
}

/** All scopes of one emulator. */
export class Store {
  readonly platform: Scope;
  private readonly connected = new Map<string, Scope>();
  private readonly linkProps: LinkProps;
  private readonly shared: Shared = { next: 1, journaled: undefined };
  /** the scopes the open transaction dropped, which its rollback restores */
  private readonly dropped = new Map<string, Scope>();

  constructor(linkProps: LinkProps) {
    this.linkProps = linkProps;
    this.platform = new Scope(undefined, linkProps, this.shared);
  }

  /** The scope of a connected account, created on first use. */
  scope(account: string | undefined): Scope {
    if (account === undefined) return this.platform;
    let scope = this.connected.get(account);
    if (!scope) {
      scope = new Scope(account, this.linkProps, this.shared);
      this.connected.set(account, scope);
    }
    return scope;
  }

  /** The connected accounts that have a scope (objects of their own). */
  accounts(): string[] {
    return [...this.connected.keys()];
  }

  dropScope(account: string): void {
    const scope = this.connected.get(account);
    if (scope && this.shared.journaled) this.dropped.set(account, scope);
    this.connected.delete(account);
  }

  /**
   * Starts a request's transaction in `scope`, whose writes `observer` is told of (events.ts); the
   * writes it makes in other scopes are journaled as they come.
   */
  begin(scope: Scope, observer?: WriteObserver): void {
    this.shared.journaled = new Set();
    this.dropped.clear();
    scope.begin(observer);
  }

  commit(): void {
    for (const scope of this.shared.journaled ?? []) scope.commit();
    this.shared.journaled = undefined;
    this.dropped.clear();
  }

  /** Undoes the open transaction's writes, in every scope it wrote to. */
  rollback(): void {
    const journaled = this.shared.journaled ?? new Set<Scope>();
    this.shared.journaled = undefined;
    for (const scope of journaled) scope.rollback();
    for (const [account, scope] of this.dropped) this.connected.set(account, scope);
    this.dropped.clear();
  }

  clear(): void {
    this.platform.clear();
    this.connected.clear();
    this.shared.next = 1;
    this.shared.journaled = undefined;
    this.dropped.clear();
  }
}
