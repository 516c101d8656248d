/**
 * Objects exactly as Stripe renders them, with stripe-node's declarations for API 2024-04-10 as the
 * oracle (`declarations.ts`): every object of every list the demo data fills (root lists, and nested
 * lists under the first parent that has children) and the answer of every create the emulator
 * serves carries every property the declaration does not mark optional (`null` when unset), none it
 * does not declare, and literals within their sets, nested objects included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import type { Route } from '../../src/emulator/engine/routes.ts';
import { Declarations } from './declarations.ts';
import { type EmulatorHarness, startEmulatorHarness } from './helpers.ts';
import { api, createdResponses, createRoute, obtain, stored, useHarness } from './obtain.ts';

const declarations = new Declarations();
let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulatorHarness();
  useHarness(h);
});
afterAll(() => h.close());

/** Objects of preview APIs (src/spec/overlay.ts): stripe-node 15.3.0 does not declare them. */
const PREVIEW_OBJECTS = new Set(
  [...api.registry.resources.values()].filter((r) => r.schema.preview).map((r) => r.object),
);

function call(path: string, params: JsonObject = {}): JsonObject | undefined {
  try {
    return h.emulator.service.call('GET', path, params);
  } catch {
    return undefined;
  }
}

/**
 * The list's required query parameters, from a stored object of the list's resource (or the object
 * it is stored under, for one whose data does not name it: a customer's active entitlements).
 */
function requiredParams(route: Route): JsonObject | undefined {
  const names = route.op.query.filter((q) => q.required).map((q) => q.name);
  if (names.length === 0) return {};
  for (const resource of route.resources) {
    for (const entry of h.emulator.store.platform.all(resource)) {
      const values = names.map((name) => entry.data[name] ?? (names.length === 1 ? entry.parent : undefined));
      if (values.every((v) => typeof v === 'string' && v !== ''))
        return Object.fromEntries(names.map((n, i) => [n, values[i]!])) as JsonObject;
    }
  }
  return undefined;
}

/** A page of the list route holding objects: root lists as they are, nested ones under a parent with children. */
function listPage(route: Route): JsonObject[] {
  const required = requiredParams(route);
  if (!required) return [];
  const params: JsonObject = route.op.query.some((q) => q.name === 'limit')
    ? { ...required, limit: 100 }
    : required;
  if (route.op.pathParams.length === 0) {
    const page = call(route.op.path, params);
    return (page?.data as JsonObject[] | undefined) ?? [];
  }
  if (route.op.pathParams.length !== 1 || route.parents.length !== 1) return [];
  for (const resource of route.parents[0]!.resources) {
    for (const parent of h.emulator.store.platform.all(resource)) {
      const page = call(route.op.path.replace(/\{[^}]+\}/, encodeURIComponent(parent.id)), params);
      const data = (page?.data as JsonObject[] | undefined) ?? [];
      if (data.length > 0) return data;
    }
  }
  return [];
}

/** The lists whose resource the demo data holds that answer no page here, with the reason. */
const NO_PAGE: Readonly<Record<string, string>> = {
  '/v1/apps/secrets':
    'its required `scope` is a hash, which `requiredParams` does not read from stored secrets',
  '/v1/customers/{customer}/bank_accounts': "the demo's bank accounts are accounts' external accounts",
};

const EVENT_TYPES = declarations.eventTypes();

interface Tally {
  /** event types stripe-node does not declare, skipped */
  undeclaredEvents: Set<string>;
  checked: number;
  conforming: number;
  problems: Map<string, string[]>;
}

function tally(objects: Iterable<[string, JsonObject]>): Tally {
  const out: Tally = { undeclaredEvents: new Set(), checked: 0, conforming: 0, problems: new Map() };
  for (const [where, object] of objects) {
    if (PREVIEW_OBJECTS.has(String(object.object))) continue;
    const data = object.data as JsonObject | undefined;
    if (
      object.object === 'event' &&
      PREVIEW_OBJECTS.has(String((data?.object as JsonObject | undefined)?.object))
    )
      continue;
    // Event types Stripe does not send (`charge.created`) are the event rules' business, not shapes.
    if (object.object === 'event' && !EVENT_TYPES.has(String(object.type))) {
      out.undeclaredEvents.add(String(object.type));
      continue;
    }
    out.checked++;
    const problems = declarations.check(object);
    if (problems.length === 0) out.conforming++;
    else {
      const kind = object.object === 'event' ? `event ${String(object.type)}` : String(object.object);
      out.problems.set(`${where} (${kind})`, problems.slice(0, 8));
    }
  }
  return out;
}

describe(`every object matches stripe-node ${declarations.version}'s declarations`, () => {
  it('lists: every object of every list with demo data', () => {
    const found: [string, JsonObject][] = [];
    // A list whose resource the demo data holds answers a page.
    const unanswered: string[] = [];
    for (const route of api.routes) {
      if (route.op.kind !== 'list' || route.op.subject || route.op.paged !== 'list') continue;
      const page = listPage(route);
      for (const item of page) found.push([`GET ${route.op.path}`, item]);
      const held = route.resources.some((r) => [...h.emulator.store.platform.all(r)].length > 0);
      if (held && page.length === 0) unanswered.push(route.op.path);
    }
    const result = tally(found);
    console.log(`lists: ${result.conforming} of ${result.checked} objects conform`);
    console.log(`event types skipped (not Stripe's): ${[...result.undeclaredEvents].sort().join(', ')}`);
    expect(unanswered.sort()).toEqual(Object.keys(NO_PAGE).sort());
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('creates: the answer of every create', () => {
    const resources = [...api.registry.resources.keys()].filter((r) => createRoute(r)).sort();
    const found: [string, JsonObject][] = [];
    const failed: string[] = [];
    for (const resource of resources) {
      createdResponses.delete(resource);
      try {
        obtain(resource);
      } catch (error) {
        failed.push(`${resource}: ${(error as Error).message}`);
      }
      const response = createdResponses.get(resource);
      if (response) found.push([`POST ${createRoute(resource)!.op.path}`, response]);
    }
    const result = tally(found);
    console.log(
      `creates: ${result.conforming} of ${result.checked} objects conform (${failed.length} failed)`,
    );
    // Every create answers, with an object of its resource.
    expect(failed).toEqual([]);
    expect(found.map(([, object]) => object.object)).toEqual(resources);
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('expanded references and includable properties, in full', () => {
    const expanded: [string, string[]][] = [
      ['/v1/charges', ['data.customer', 'data.balance_transaction', 'data.payment_intent', 'data.refunds']],
      [
        '/v1/customers',
        ['data.sources', 'data.subscriptions', 'data.tax_ids', 'data.tax', 'data.cash_balance'],
      ],
      ['/v1/prices', ['data.currency_options', 'data.tiers', 'data.product']],
      ['/v1/invoices', ['data.customer', 'data.subscription', 'data.lines.data.price']],
      ['/v1/subscriptions', ['data.items.data.price', 'data.latest_invoice', 'data.default_payment_method']],
      ['/v1/checkout/sessions', ['data.line_items', 'data.payment_intent', 'data.customer']],
    ];
    const found: [string, JsonObject][] = [];
    const empty: string[] = [];
    for (const [path, expand] of expanded) {
      const page = h.emulator.service.call('GET', path, { limit: 100 }, { expand });
      for (const item of page.data as JsonObject[]) found.push([`GET ${path} expanding ${expand}`, item]);
      if ((page.data as JsonObject[]).length === 0) empty.push(path);
    }
    // The demo data holds objects of every one of these lists.
    expect(empty).toEqual([]);
    const result = tally(found);
    expect(Object.fromEntries(result.problems)).toEqual({});
    // Includable properties come only when expanded.
    const prices = h.emulator.service.call('GET', '/v1/prices', { limit: 3 });
    for (const price of prices.data as JsonObject[]) {
      expect(price).not.toHaveProperty('currency_options');
      expect(price).not.toHaveProperty('tiers');
    }
    const charges = h.emulator.service.call('GET', '/v1/charges', { limit: 3 });
    for (const charge of charges.data as JsonObject[]) expect(charge.refunds).toBeNull();
  });

  it('the oracle is stripe-node for API 2024-04-10 and knows the objects', () => {
    expect(declarations.version).toBe('15.3.0');
    expect(declarations.objects().length).toBeGreaterThan(120);
    expect(stored('customer')).toBeDefined();
  });
});
