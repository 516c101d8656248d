/**
 * The demo dataset: every root list holds objects, those the API can create and those only Stripe
 * makes (setup attempts, Issuing tokens, active entitlements, early fraud warnings; the lists are
 * computed from the model), demo cards are valid for years after the boot,
 * objects spread over a realistic span of time, and the whole dataset is deterministic (for a boot
 * time: it is played up to it).
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import { handlerOf } from '../../src/emulator/handlers/handlers.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { EmulatorService } from '../../src/emulator/service.ts';

/** The boot time: the demo data is played up to it (a boot on another day moves it whole days). */
const BOOT = Math.floor(Date.now() / 1000);
const service = new EmulatorService({ faults: {}, randomSeed: 3, clock: () => BOOT });
const routes = service.api.routes;
const DAY = 86_400;

/** Root lists: no path parameter, not the inline list of a path-addressed object. */
const roots = routes.filter((r) => r.op.kind === 'list' && r.op.pathParams.length === 0 && !r.op.subject);
/** Resources some create operation (or an action that makes an object) of the emulator returns. */
const creatable = new Set(
  routes.filter((r) => handlerOf(r) === 'create' || handlerOf(r) === 'make').flatMap((r) => r.resources),
);

/** The list's required parameters, taken from a stored object of the list's resource. */
function requiredParams(resources: readonly string[], names: readonly string[]): JsonObject | undefined {
  if (names.length === 0) return {};
  for (const resource of resources) {
    for (const entry of service.store.platform.all(resource)) {
      // A list's filter the object does not carry is the object it is stored under (a customer's
      // active entitlements).
      const values = names.map((name) => entry.data[name] ?? (names.length === 1 ? entry.parent : undefined));
      if (values.every((v) => (typeof v === 'string' && v !== '') || (typeof v === 'object' && v !== null)))
        return Object.fromEntries(names.map((n, i) => [n, values[i]!])) as JsonObject;
    }
  }
  return undefined;
}

describe('the demo dataset', () => {
  it('fills every root list, those of objects only Stripe makes too', () => {
    const targets = roots.filter((r) => r.resources.some((resource) => creatable.has(resource)));
    const empty: string[] = [];
    for (const route of roots) {
      const required = route.op.query.filter((q) => q.required).map((q) => q.name);
      const params = requiredParams(route.resources, required);
      const page = params ? service.call('GET', route.op.path, params) : undefined;
      if (!page || (page.data as unknown[]).length === 0) empty.push(route.op.path);
    }
    expect(empty).toEqual([]);
    // The spec's root lists, and the preview overlay's (src/spec/overlay.ts) beside them.
    expect(roots.filter((r) => !r.op.preview)).toHaveLength(86);
    expect(targets.filter((r) => !r.op.preview)).toHaveLength(62);
    expect(targets.filter((r) => r.op.preview).length).toBeGreaterThan(0);
  });

  it('has cards valid for years after the boot, the reference card from Stripe’s examples too', () => {
    const bootYear = new Date(BOOT * 1000).getUTCFullYear();
    const jenny = service.call('GET', `/v1/customers/${SEED.jenny.customer}/cards/${SEED.jenny.card}`);
    expect(jenny).toMatchObject({ exp_month: 8, exp_year: bootYear + 4 });
    const expiries: number[] = [];
    for (const card of service.store.platform.all('card')) expiries.push(Number(card.data.exp_year));
    for (const method of service.store.platform.all('payment_method'))
      if (method.data.type === 'card') expiries.push(Number((method.data.card as JsonObject).exp_year));
    expect(expiries.length).toBeGreaterThan(10);
    expect(Math.min(...expiries)).toBeGreaterThanOrEqual(bootYear + 1);
  });

  it('spreads objects over more than a year, each resource in creation order', () => {
    const created = (resource: string) =>
      [...service.store.platform.all(resource)].map((e) => Number(e.data.created));
    const all = ['customer', 'charge', 'invoice', 'subscription', 'event', 'issuing.card'].flatMap(created);
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(365 * DAY);
    const customers = created('customer');
    expect(new Set(customers).size).toBe(customers.length);
  });

  it('is deterministic', () => {
    const other = new EmulatorService({ faults: {}, randomSeed: 99, clock: () => BOOT });
    for (const route of roots.filter((r) => !r.op.query.some((q) => q.required))) {
      const params: JsonObject = route.op.query.some((q) => q.name === 'limit') ? { limit: 100 } : {};
      expect(other.call('GET', route.op.path, params), route.op.path).toEqual(
        service.call('GET', route.op.path, params),
      );
    }
  });
});
